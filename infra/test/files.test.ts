import { infraPath, listFiles, loadJson, parseYamlDocuments, readText } from './support/files';

describe('every YAML and JSON file under infra/', () => {
  const yamlFiles = listFiles(infraPath(), ['.yml', '.yaml']);
  const jsonFiles = listFiles(infraPath(), ['.json']).filter((file) => !file.endsWith('package.json'));

  it('finds the files it is meant to check', () => {
    const names = [...yamlFiles, ...jsonFiles].map((file) => file.slice(infraPath().length + 1));
    for (const expected of [
      'docker-compose.yml',
      'otel-collector/config.yaml',
      'prometheus/prometheus.yml',
      'prometheus/alerts.yml',
      'grafana/dashboards/ai-scale.json',
      'grafana/provisioning/datasources/datasources.yml',
      'grafana/provisioning/dashboards/dashboards.yml',
      'k8s/kustomization.yaml',
    ]) {
      expect(names).toContain(expected);
    }
  });

  it.each(yamlFiles.map((file) => [file.slice(infraPath().length + 1), file]))(
    'parses %s as YAML with no error, warning or duplicate key',
    (_name, file) => {
      const documents = parseYamlDocuments(readText(file), file);
      expect(documents.length).toBeGreaterThan(0);
    },
  );

  it.each(jsonFiles.map((file) => [file.slice(infraPath().length + 1), file]))(
    'parses %s as JSON',
    (_name, file) => {
      expect(() => loadJson(file)).not.toThrow();
    },
  );

  it('rejects what a careless edit produces: a duplicate key, a bad indent', () => {
    expect(() => parseYamlDocuments('a: 1\na: 2\n')).toThrow(/unique|duplicate/i);
    expect(() => parseYamlDocuments('a:\n  b: 1\n c: 2\n')).toThrow();
  });
});
