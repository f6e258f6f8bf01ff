import { isObject, type Json } from './files';
import { checkExpression } from './series-check';
import { KNOWN_ENV } from './server-env';

/**
 * A schema check of the Kubernetes manifests, written for this repository (no cluster, no network):
 * shapes of the kinds used here, and the cross-references kubeconform cannot see: selectors that
 * match pod labels, probes on the server's health paths through a named port, HPA / ScaledObject /
 * PDB targets that exist, ConfigMap / Secret references and keys that exist, grace periods longer
 * than the shutdown deadline. Returns every problem found, empty when the set is valid.
 */
export interface K8sRules {
  readonly livenessPath: string;
  readonly readinessPath: string;
  /** Environment keys that are not server variables but read by a neighbour (KEDA). */
  readonly infraOnlyKeys: readonly string[];
}

export const DEFAULT_RULES: K8sRules = {
  livenessPath: '/health/live',
  readinessPath: '/health/ready',
  infraOnlyKeys: ['REDIS_ADDRESS', 'REDIS_PASSWORD'],
};

const API_VERSIONS: Record<string, readonly string[]> = {
  Namespace: ['v1'],
  ConfigMap: ['v1'],
  Secret: ['v1'],
  Service: ['v1'],
  Deployment: ['apps/v1'],
  HorizontalPodAutoscaler: ['autoscaling/v2'],
  PodDisruptionBudget: ['policy/v1'],
  ScaledObject: ['keda.sh/v1alpha1'],
  TriggerAuthentication: ['keda.sh/v1alpha1'],
};

interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly body: Json;
}

const get = (value: unknown, ...keys: string[]): unknown =>
  keys.reduce<unknown>((current, key) => (isObject(current) ? current[key] : undefined), value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const record = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});
const labelsMatch = (selector: Record<string, unknown>, labels: Record<string, unknown>): boolean =>
  Object.keys(selector).length > 0 && Object.entries(selector).every(([key, value]) => labels[key] === value);

export function validateManifests(documents: readonly unknown[], rules: K8sRules = DEFAULT_RULES): string[] {
  const problems: string[] = [];
  const manifests: Manifest[] = [];

  documents.forEach((document, index) => {
    if (!isObject(document)) {
      problems.push(`document ${index}: not a mapping`);
      return;
    }
    const apiVersion = document.apiVersion;
    const kind = document.kind;
    const name = get(document, 'metadata', 'name');
    if (
      typeof kind !== 'string' ||
      typeof apiVersion !== 'string' ||
      typeof name !== 'string' ||
      name === ''
    ) {
      problems.push(`document ${index}: apiVersion, kind and metadata.name are required`);
      return;
    }
    const allowed = API_VERSIONS[kind];
    if (allowed === undefined) problems.push(`${kind}/${name}: unexpected kind`);
    else if (!allowed.includes(apiVersion))
      problems.push(`${kind}/${name}: apiVersion ${apiVersion}, expected ${allowed.join(' or ')}`);
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) problems.push(`${kind}/${name}: invalid name`);
    manifests.push({ apiVersion, kind, name, body: document });
  });

  const byKind = (kind: string): Manifest[] => manifests.filter((manifest) => manifest.kind === kind);
  const find = (kind: string, name: unknown): Manifest | undefined =>
    manifests.find((manifest) => manifest.kind === kind && manifest.name === name);

  const configMaps = byKind('ConfigMap');
  const secrets = byKind('Secret');
  const secretKeys = (secret: Manifest): string[] => [
    ...Object.keys(record(secret.body.stringData)),
    ...Object.keys(record(secret.body.data)),
  ];
  const knownKeys = new Set<string>([...KNOWN_ENV, ...rules.infraOnlyKeys]);

  for (const configMap of configMaps) {
    for (const key of Object.keys(record(configMap.body.data))) {
      if (!knownKeys.has(key)) problems.push(`ConfigMap/${configMap.name}: key ${key} is read by nobody`);
    }
  }
  for (const secret of secrets) {
    for (const key of secretKeys(secret)) {
      if (!knownKeys.has(key)) problems.push(`Secret/${secret.name}: key ${key} is read by nobody`);
    }
  }

  const deployments = byKind('Deployment');
  const podLabels = new Map<string, Record<string, unknown>>();
  const namedPorts = new Map<string, Set<string>>();
  const containerEnv = new Map<string, Map<string, string>>();

  for (const deployment of deployments) {
    const where = `Deployment/${deployment.name}`;
    const spec = record(deployment.body.spec);
    const selector = record(get(spec, 'selector', 'matchLabels'));
    const template = record(spec.template);
    const labels = record(get(template, 'metadata', 'labels'));
    podLabels.set(deployment.name, labels);
    if (!labelsMatch(selector, labels))
      problems.push(`${where}: selector.matchLabels do not match the pod template labels`);
    const podSpec = record(template.spec);
    const podSecurity = record(podSpec.securityContext);
    if (podSecurity.runAsNonRoot !== true)
      problems.push(`${where}: securityContext.runAsNonRoot must be true`);
    if (podSecurity.runAsUser === 0) problems.push(`${where}: runs as root (runAsUser 0)`);
    const containers = list(podSpec.containers);
    if (containers.length === 0) problems.push(`${where}: no container`);
    const ports = new Set<string>();
    const env = new Map<string, string>();
    namedPorts.set(deployment.name, ports);
    containerEnv.set(deployment.name, env);

    for (const raw of containers) {
      const container = record(raw);
      const at = `${where} container ${String(container.name)}`;
      if (typeof container.name !== 'string') problems.push(`${where}: a container has no name`);
      if (typeof container.image !== 'string' || container.image === '') problems.push(`${at}: no image`);
      const containerPorts = new Map<string, number>();
      for (const port of list(container.ports).map(record)) {
        if (typeof port.name === 'string') {
          ports.add(port.name);
          containerPorts.set(port.name, Number(port.containerPort));
        }
      }
      const checkProbe = (probeName: string, expectedPath: string): void => {
        const probe = record(container[probeName]);
        const httpGet = record(probe.httpGet);
        if (Object.keys(probe).length === 0) {
          problems.push(`${at}: no ${probeName}`);
          return;
        }
        if (httpGet.path !== expectedPath)
          problems.push(`${at}: ${probeName} path ${String(httpGet.path)}, expected ${expectedPath}`);
        const port = httpGet.port;
        const portOk =
          typeof port === 'string'
            ? containerPorts.has(port)
            : [...containerPorts.values()].includes(Number(port));
        if (!portOk) problems.push(`${at}: ${probeName} port ${String(port)} is not a port of the container`);
      };
      checkProbe('livenessProbe', rules.livenessPath);
      checkProbe('readinessProbe', rules.readinessPath);
      if (container.startupProbe !== undefined) checkProbe('startupProbe', rules.livenessPath);

      const resources = record(container.resources);
      for (const part of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (get(resources, part, resource) === undefined)
            problems.push(`${at}: resources.${part}.${resource} missing`);
        }
      }
      const security = record(container.securityContext);
      if (security.allowPrivilegeEscalation !== false)
        problems.push(`${at}: allowPrivilegeEscalation must be false`);
      if (security.runAsUser === 0) problems.push(`${at}: runs as root`);

      for (const source of list(container.envFrom).map(record)) {
        const configMapName = get(source, 'configMapRef', 'name');
        const secretName = get(source, 'secretRef', 'name');
        if (configMapName !== undefined) {
          const configMap = find('ConfigMap', configMapName);
          if (!configMap) problems.push(`${at}: envFrom ConfigMap ${String(configMapName)} does not exist`);
          else
            for (const [key, value] of Object.entries(record(configMap.body.data)))
              env.set(key, String(value));
        }
        if (secretName !== undefined) {
          const secret = find('Secret', secretName);
          if (!secret) problems.push(`${at}: envFrom Secret ${String(secretName)} does not exist`);
          else for (const key of secretKeys(secret)) env.set(key, '<secret>');
        }
      }
      for (const variable of list(container.env).map(record)) {
        const name = String(variable.name);
        if (!knownKeys.has(name)) problems.push(`${at}: env ${name} is not a server variable`);
        const secretRef = record(get(variable, 'valueFrom', 'secretKeyRef'));
        const configRef = record(get(variable, 'valueFrom', 'configMapKeyRef'));
        if (secretRef.name !== undefined) {
          const secret = find('Secret', secretRef.name);
          if (!secret || !secretKeys(secret).includes(String(secretRef.key))) {
            problems.push(
              `${at}: env ${name} refers to missing Secret key ${String(secretRef.name)}/${String(secretRef.key)}`,
            );
          }
        }
        if (configRef.name !== undefined) {
          const configMap = find('ConfigMap', configRef.name);
          if (!configMap || !(String(configRef.key) in record(configMap.body.data))) {
            problems.push(
              `${at}: env ${name} refers to missing ConfigMap key ${String(configRef.name)}/${String(configRef.key)}`,
            );
          }
        }
        env.set(name, variable.value === undefined ? '<ref>' : String(variable.value));
      }
      if (!['api', 'worker', 'all'].includes(env.get('ROLE') ?? ''))
        problems.push(`${at}: ROLE must be api, worker or all`);

      // The kubelet sends SIGTERM after preStop, then kills at the end of the grace period: the
      // server's own deadline (SHUTDOWN_TIMEOUT_MS) must fit inside what is left.
      const grace = Number(podSpec.terminationGracePeriodSeconds ?? 30);
      const preStop = list(get(container, 'lifecycle', 'preStop', 'exec', 'command')).map(String);
      const preStopSeconds = preStop[0] === 'sleep' ? Number(preStop[1] ?? 0) : 0;
      const shutdownMs = Number(env.get('SHUTDOWN_TIMEOUT_MS') ?? 10_000);
      if (!(grace > preStopSeconds + shutdownMs / 1000)) {
        problems.push(
          `${at}: terminationGracePeriodSeconds ${grace} must exceed preStop ${preStopSeconds} s + SHUTDOWN_TIMEOUT_MS ${shutdownMs / 1000} s`,
        );
      }
    }
  }

  const deploymentTarget = (where: string, target: unknown): Manifest | undefined => {
    const ref = record(target);
    if (ref.kind !== 'Deployment' || ref.apiVersion !== 'apps/v1') {
      problems.push(`${where}: scaleTargetRef must be an apps/v1 Deployment`);
      return undefined;
    }
    const deployment = find('Deployment', ref.name);
    if (!deployment) problems.push(`${where}: target Deployment ${String(ref.name)} does not exist`);
    return deployment;
  };

  for (const service of byKind('Service')) {
    const where = `Service/${service.name}`;
    const selector = record(get(service.body, 'spec', 'selector'));
    const targets = deployments.filter((deployment) =>
      labelsMatch(selector, podLabels.get(deployment.name) ?? {}),
    );
    if (targets.length !== 1) {
      problems.push(`${where}: selector matches ${targets.length} Deployments, expected exactly one`);
      continue;
    }
    const target = targets[0] as Manifest;
    for (const port of list(get(service.body, 'spec', 'ports')).map(record)) {
      if (typeof port.targetPort === 'string' && !namedPorts.get(target.name)?.has(port.targetPort)) {
        problems.push(
          `${where}: targetPort ${port.targetPort} is not a named port of Deployment/${target.name}`,
        );
      }
    }
  }

  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const where = `HorizontalPodAutoscaler/${hpa.name}`;
    deploymentTarget(where, get(hpa.body, 'spec', 'scaleTargetRef'));
    const min = Number(get(hpa.body, 'spec', 'minReplicas') ?? 1);
    const max = Number(get(hpa.body, 'spec', 'maxReplicas'));
    if (!(min >= 1 && max >= min)) problems.push(`${where}: needs 1 <= minReplicas <= maxReplicas`);
    if (list(get(hpa.body, 'spec', 'metrics')).length === 0) problems.push(`${where}: no metric`);
  }

  for (const scaledObject of byKind('ScaledObject')) {
    const where = `ScaledObject/${scaledObject.name}`;
    const target = deploymentTarget(where, get(scaledObject.body, 'spec', 'scaleTargetRef'));
    if (
      target &&
      byKind('HorizontalPodAutoscaler').some(
        (hpa) => get(hpa.body, 'spec', 'scaleTargetRef', 'name') === target.name,
      )
    ) {
      problems.push(`${where}: Deployment/${target.name} is also scaled by an HPA (KEDA makes its own)`);
    }
    const env = target
      ? (containerEnv.get(target.name) ?? new Map<string, string>())
      : new Map<string, string>();
    const prefix = env.get('QUEUE_PREFIX') ?? 'ai-scale';
    const triggers = list(get(scaledObject.body, 'spec', 'triggers')).map(record);
    if (triggers.length === 0) problems.push(`${where}: no trigger`);
    for (const trigger of triggers) {
      const metadata = record(trigger.metadata);
      if (trigger.type === 'prometheus') {
        if (!/^https?:\/\/[^/]+/.test(String(metadata.serverAddress)))
          problems.push(`${where}: serverAddress must be a URL`);
        for (const problem of checkExpression(String(metadata.query ?? ''), { recorded: new Set() })) {
          problems.push(`${where}: query ${problem}`);
        }
        if (!(Number(metadata.threshold) > 0)) problems.push(`${where}: threshold must be a positive number`);
      } else if (trigger.type === 'redis') {
        // Only meaningful for jobs without a priority: see worker-scaledobject.yaml.
        const listName = String(metadata.listName);
        if (!new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:[\\w.-]+:wait$`).test(listName)) {
          problems.push(
            `${where}: listName ${listName} is not a BullMQ wait list <QUEUE_PREFIX=${prefix}>:<queue>:wait`,
          );
        }
        if (!(Number(metadata.listLength) > 0))
          problems.push(`${where}: listLength must be a positive number`);
        if (metadata.addressFromEnv !== undefined && !env.has(String(metadata.addressFromEnv))) {
          problems.push(
            `${where}: addressFromEnv ${String(metadata.addressFromEnv)} is not in the target's environment`,
          );
        }
        if (metadata.addressFromEnv === undefined && metadata.address === undefined)
          problems.push(`${where}: no Redis address`);
      } else {
        problems.push(`${where}: unexpected trigger type ${String(trigger.type)}`);
      }
      const authName = get(trigger, 'authenticationRef', 'name');
      if (authName !== undefined && !find('TriggerAuthentication', authName)) {
        problems.push(`${where}: TriggerAuthentication ${String(authName)} does not exist`);
      }
    }
  }

  for (const auth of byKind('TriggerAuthentication')) {
    for (const ref of list(get(auth.body, 'spec', 'secretTargetRef')).map(record)) {
      const secret = find('Secret', ref.name);
      if (!secret || !secretKeys(secret).includes(String(ref.key))) {
        problems.push(
          `TriggerAuthentication/${auth.name}: Secret key ${String(ref.name)}/${String(ref.key)} does not exist`,
        );
      }
    }
  }

  for (const pdb of byKind('PodDisruptionBudget')) {
    const where = `PodDisruptionBudget/${pdb.name}`;
    const selector = record(get(pdb.body, 'spec', 'selector', 'matchLabels'));
    const targets = deployments.filter((deployment) =>
      labelsMatch(selector, podLabels.get(deployment.name) ?? {}),
    );
    if (targets.length !== 1)
      problems.push(`${where}: selector matches ${targets.length} Deployments, expected exactly one`);
    const spec = record(pdb.body.spec);
    if ((spec.minAvailable === undefined) === (spec.maxUnavailable === undefined)) {
      problems.push(`${where}: set exactly one of minAvailable and maxUnavailable`);
    }
    const target = targets[0];
    if (target && spec.minAvailable !== undefined) {
      const replicas = Number(get(target.body, 'spec', 'replicas') ?? 1);
      const hpaMin = byKind('HorizontalPodAutoscaler')
        .filter((hpa) => get(hpa.body, 'spec', 'scaleTargetRef', 'name') === target.name)
        .map((hpa) => Number(get(hpa.body, 'spec', 'minReplicas') ?? 1));
      const floor = Math.min(replicas, ...hpaMin);
      if (Number(spec.minAvailable) >= floor) {
        problems.push(
          `${where}: minAvailable ${String(spec.minAvailable)} would block every drain (at least ${floor} replicas)`,
        );
      }
    }
  }

  return problems;
}
