/**
 * A pod shaped like what a Deployment stamps out in a real cluster (labels,
 * annotations, resources, probes, env, volumes, tolerations): about 1.5 KB of
 * JSON, so storage and serialisation costs resemble production ones.
 */
export function benchPod(namespace: string, name: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace,
      labels: { app: 'web', tier: 'frontend', 'pod-template-hash': '7d4b9c8f6d', 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9102', 'kubectl.kubernetes.io/restartedAt': '2024-05-01T10:00:00Z' },
    },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/shop/web:1.27.3',
          imagePullPolicy: 'IfNotPresent',
          args: ['--port=8080', '--metrics-port=9102', '--log-format=json'],
          ports: [
            { name: 'http', containerPort: 8080, protocol: 'TCP' },
            { name: 'metrics', containerPort: 9102, protocol: 'TCP' },
          ],
          env: [
            { name: 'SHOP_ENV', value: 'production' },
            { name: 'SHOP_CACHE_URL', value: 'redis://cache.shop.svc.cluster.local:6379/0' },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
          ],
          resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
          readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 5, failureThreshold: 3 },
          livenessProbe: { httpGet: { path: '/livez', port: 8080 }, initialDelaySeconds: 10, periodSeconds: 10 },
          volumeMounts: [
            { name: 'config', mountPath: '/etc/shop', readOnly: true },
            { name: 'tmp', mountPath: '/tmp' },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: 'web-config' } },
        { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
      ],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
      terminationGracePeriodSeconds: 30,
    },
  };
}
