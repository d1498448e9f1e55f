/** Parsing `--datastore-endpoint` etcd lists; kept apart so choosing a backend does not load gRPC. */
export function parseEndpoints(list: string | string[]): { url: string; target: string; secure: boolean }[] {
  const items = (Array.isArray(list) ? list : list.split(',')).map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new Error('etcd: no endpoints given');
  return items.map((url) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error(`etcd: invalid endpoint ${JSON.stringify(url)}: want http(s)://host:port`);
    }
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`etcd: invalid endpoint ${JSON.stringify(url)}: scheme must be http or https`);
    const port = u.port || '2379';
    return { url, target: `${u.hostname}:${port}`, secure: u.protocol === 'https:' };
  });
}
