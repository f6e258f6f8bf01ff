import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  clone,
  infraPath,
  isObject,
  listFiles,
  loadYaml,
  loadYamlDocuments,
  type Json,
} from './support/files';
import { validateManifests } from './support/k8s-validator';
import { SECRET_ENV } from './support/server-env';

const K8S_DIR = infraPath('k8s');

interface Kustomization {
  readonly resources: string[];
  readonly namespace?: string;
}

const kustomization = loadYaml<Kustomization>(path.join(K8S_DIR, 'kustomization.yaml'));
const documents = kustomization.resources.flatMap((resource) =>
  loadYamlDocuments(path.join(K8S_DIR, resource)),
);

function findDocument(set: unknown[], kind: string, name: string): Json {
  const found = set.find(
    (document) => isObject(document) && document.kind === kind && (document.metadata as Json).name === name,
  );
  if (!isObject(found)) throw new Error(`${kind}/${name} not found`);
  return found;
}

/** Applies `mutate` to a copy of the manifests and returns the problems the validator reports. */
function problemsAfter(mutate: (copy: unknown[]) => void): string[] {
  const copy = clone(documents);
  mutate(copy);
  return validateManifests(copy);
}

function firstContainer(deployment: Json): Json {
  return ((((deployment.spec as Json).template as Json).spec as Json).containers as Json[])[0] as Json;
}

describe('Kubernetes manifests (infra/k8s)', () => {
  it('kustomization lists every manifest file of the folder, and each exists', () => {
    const files = listFiles(K8S_DIR, ['.yaml', '.yml'])
      .map((file) => path.basename(file))
      .filter((file) => file !== 'kustomization.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
    expect(kustomization.namespace).toBe('ai-scale');
  });

  it('holds the pieces the design asks for', () => {
    const kinds = documents.map(
      (document) => `${(document as Json).kind}/${((document as Json).metadata as Json).name}`,
    );
    expect(kinds).toEqual(
      expect.arrayContaining([
        'Namespace/ai-scale',
        'ConfigMap/ai-scale-config',
        'Secret/ai-scale-secrets',
        'Deployment/ai-scale-api',
        'Service/ai-scale-api',
        'HorizontalPodAutoscaler/ai-scale-api',
        'Deployment/ai-scale-worker',
        'ScaledObject/ai-scale-worker',
        'PodDisruptionBudget/ai-scale-api',
        'PodDisruptionBudget/ai-scale-worker',
      ]),
    );
  });

  it('passes the schema and cross-reference check', () => {
    expect(validateManifests(documents)).toEqual([]);
  });

  it('runs api and worker with their ROLE from the same image', () => {
    const api = firstContainer(findDocument(documents, 'Deployment', 'ai-scale-api'));
    const worker = firstContainer(findDocument(documents, 'Deployment', 'ai-scale-worker'));
    expect(api.image).toBe(worker.image);
    const role = (container: Json) =>
      (container.env as Json[]).find((variable) => variable.name === 'ROLE')?.value;
    expect(role(api)).toBe('api');
    expect(role(worker)).toBe('worker');
  });

  it('keeps no state on a pod: no PersistentVolumeClaim, only emptyDir scratch; blobs and index in S3', () => {
    expect(
      documents.filter((document) => isObject(document) && document.kind === 'PersistentVolumeClaim'),
    ).toEqual([]);
    for (const name of ['ai-scale-api', 'ai-scale-worker']) {
      const pod = ((findDocument(documents, 'Deployment', name).spec as Json).template as Json).spec as Json;
      for (const volume of (pod.volumes ?? []) as Json[])
        expect(Object.keys(volume).sort()).toEqual(['emptyDir', 'name']);
    }
    const data = findDocument(documents, 'ConfigMap', 'ai-scale-config').data as Json;
    expect(data).toMatchObject({ BLOB_STORE: 's3', VECTOR_STORE: 'lancedb' });
    expect(String(data.LANCEDB_URI)).toBe(`s3://${String(data.S3_BUCKET)}/lancedb`);
    expect(String(data.DATA_DIR)).toMatch(/^\/tmp\//);
  });

  it('keeps credentials out of the ConfigMap, and the example Secret holds only placeholders', () => {
    const configMap = findDocument(documents, 'ConfigMap', 'ai-scale-config');
    for (const key of SECRET_ENV) expect(Object.keys(configMap.data as Json)).not.toContain(key);
    const secret = findDocument(documents, 'Secret', 'ai-scale-secrets');
    for (const [key, value] of Object.entries(secret.stringData as Json)) {
      expect(`${key}=${String(value)}`).toMatch(/REPLACE_ME/);
    }
  });

  describe('the check fails on each mistake it is meant to catch', () => {
    it.each<[string, (copy: unknown[]) => void, RegExp]>([
      [
        'a liveness probe on a path the server does not serve',
        (copy) => {
          (
            (firstContainer(findDocument(copy, 'Deployment', 'ai-scale-api')).livenessProbe as Json)
              .httpGet as Json
          ).path = '/healthz';
        },
        /livenessProbe path \/healthz/,
      ],
      [
        'a readiness probe on a port name that does not exist',
        (copy) => {
          (
            (firstContainer(findDocument(copy, 'Deployment', 'ai-scale-worker')).readinessProbe as Json)
              .httpGet as Json
          ).port = 'web';
        },
        /readinessProbe port web/,
      ],
      [
        'a selector that does not match the pod labels',
        (copy) => {
          const spec = findDocument(copy, 'Deployment', 'ai-scale-api').spec as Json;
          ((spec.selector as Json).matchLabels as Json)['app.kubernetes.io/component'] = 'web';
        },
        /selector.matchLabels do not match/,
      ],
      [
        'an HPA on a Deployment that does not exist',
        (copy) => {
          (
            (findDocument(copy, 'HorizontalPodAutoscaler', 'ai-scale-api').spec as Json)
              .scaleTargetRef as Json
          ).name = 'api';
        },
        /target Deployment api does not exist/,
      ],
      [
        'a ScaledObject on a series the server does not expose',
        (copy) => {
          const triggers = (findDocument(copy, 'ScaledObject', 'ai-scale-worker').spec as Json)
            .triggers as Json[];
          ((triggers[0] as Json).metadata as Json).query = 'sum(bullmq_waiting_jobs)';
        },
        /query unknown series bullmq_waiting_jobs/,
      ],
      [
        'a ScaledObject on a label the queue metric does not carry',
        (copy) => {
          const triggers = (findDocument(copy, 'ScaledObject', 'ai-scale-worker').spec as Json)
            .triggers as Json[];
          ((triggers[0] as Json).metadata as Json).query = 'sum(ai_scale_queue_depth{state="waiting"})';
        },
        /ai_scale_queue_depth has no label state/,
      ],
      [
        'a Redis list trigger on a list that is not a BullMQ wait list',
        (copy) => {
          const triggers = (findDocument(copy, 'ScaledObject', 'ai-scale-worker').spec as Json)
            .triggers as Json[];
          triggers.push({
            type: 'redis',
            metadata: { address: 'redis:6379', listName: 'bull:chat:waiting', listLength: '5' },
          });
        },
        /not a BullMQ wait list <QUEUE_PREFIX=ai-scale>/,
      ],
      [
        'a trigger authentication that does not exist',
        (copy) => {
          const triggers = (findDocument(copy, 'ScaledObject', 'ai-scale-worker').spec as Json)
            .triggers as Json[];
          (triggers[0] as Json).authenticationRef = { name: 'prometheus-auth' };
        },
        /TriggerAuthentication prometheus-auth does not exist/,
      ],
      [
        'a PDB whose selector matches no Deployment',
        (copy) => {
          const spec = findDocument(copy, 'PodDisruptionBudget', 'ai-scale-worker').spec as Json;
          ((spec.selector as Json).matchLabels as Json)['app.kubernetes.io/component'] = 'workers';
        },
        /PodDisruptionBudget\/ai-scale-worker: selector matches 0/,
      ],
      [
        'an envFrom on a ConfigMap that does not exist',
        (copy) => {
          const container = firstContainer(findDocument(copy, 'Deployment', 'ai-scale-worker'));
          ((container.envFrom as Json[])[0]!.configMapRef as Json).name = 'config';
        },
        /envFrom ConfigMap config does not exist/,
      ],
      [
        'a Secret key nobody reads',
        (copy) => {
          (findDocument(copy, 'Secret', 'ai-scale-secrets').stringData as Json).OPENAI_KEY = 'REPLACE_ME';
        },
        /key OPENAI_KEY is read by nobody/,
      ],
      [
        'a ConfigMap key the server does not read (a typo)',
        (copy) => {
          (findDocument(copy, 'ConfigMap', 'ai-scale-config').data as Json).QUEUE_DRIVERS = 'bullmq';
        },
        /key QUEUE_DRIVERS is read by nobody/,
      ],
      [
        'a grace period shorter than the worker shutdown deadline',
        (copy) => {
          const spec = (findDocument(copy, 'Deployment', 'ai-scale-worker').spec as Json).template as Json;
          (spec.spec as Json).terminationGracePeriodSeconds = 30;
        },
        /terminationGracePeriodSeconds 30 must exceed/,
      ],
      [
        'a container running as root',
        (copy) => {
          const spec = ((findDocument(copy, 'Deployment', 'ai-scale-api').spec as Json).template as Json)
            .spec as Json;
          (spec.securityContext as Json).runAsNonRoot = false;
        },
        /runAsNonRoot must be true/,
      ],
      [
        'a container without an image',
        (copy) => {
          delete firstContainer(findDocument(copy, 'Deployment', 'ai-scale-api')).image;
        },
        /no image/,
      ],
      [
        'a document without apiVersion',
        (copy) => {
          delete (findDocument(copy, 'Service', 'ai-scale-api') as Json).apiVersion;
        },
        /apiVersion, kind and metadata.name are required/,
      ],
    ])('%s', (_name, mutate, expected) => {
      const problems = problemsAfter(mutate);
      expect(problems.join('\n')).toMatch(expected);
    });
  });

  const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((file) => fs.existsSync(file));
  (kubectl ? it : it.skip)(
    `renders with kubectl kustomize${kubectl ? '' : ' (skipped: kubectl not installed)'}`,
    () => {
      const output = execFileSync(kubectl as string, ['kustomize', K8S_DIR], { encoding: 'utf8' });
      const rendered = output.split(/^---$/m).filter((part) => part.trim().length > 0);
      expect(rendered).toHaveLength(documents.length);
      expect(output).toMatch(/namespace: ai-scale/);
    },
  );
});
