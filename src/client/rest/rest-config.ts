/** Where a server is and how to authenticate to it: what a kubeconfig context resolves to. */
export interface RESTConfig {
  /** Base URL, e.g. `https://127.0.0.1:6443`. */
  server: string;
  caPEM?: string;
  certPEM?: string;
  keyPEM?: string;
  bearerToken?: string;
  insecureSkipTLSVerify?: boolean;
  /** SNI / certificate host name override (`tls-server-name`). */
  tlsServerName?: string;
  userAgent?: string;
}
