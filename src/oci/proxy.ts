// Which proxy a registry URL goes through, by the rules of Go's golang.org/x/net/http/httpproxy
// (what NFD, oras and skopeo follow), so that one environment means the same to all of them.
// Written here from Go's documented rules: no maintained JavaScript library implements them
// (the npm ones differ on loopback, `*.`, CIDRs and which of HTTP_PROXY/http_proxy wins).
//
// - HTTPS_PROXY for https URLs, HTTP_PROXY for http; the upper-case name first, then the
//   lower-case one; an empty value is unset. A value without a scheme means http://.
// - Never for `localhost` or a loopback IP, whatever the variables say.
// - NO_PROXY, comma-separated, case-insensitive: `*` (everything); an IP; an IP or CIDR
//   range (`10.0.0.0/8`, `2002:db8::/64`); `host:port` / `[IPv6]:port` (that port only);
//   `example.com` (itself and its subdomains); `.example.com` and `*.example.com`
//   (subdomains only).
// - With REQUEST_METHOD set (a CGI environment, where HTTP_PROXY may come from a request
//   header), HTTP_PROXY is refused.

import { BlockList, isIP } from "node:net";
import { domainToASCII } from "node:url";

export interface ProxyChoice {
  url: URL;
  /** The variable it came from, for messages: `HTTPS_PROXY`. */
  variable: string;
}

export interface ProxyConfig {
  http: ProxyChoice | undefined;
  https: ProxyChoice | undefined;
  noProxy: NoProxy;
  cgi: boolean;
}

/** A proxy value that cannot be used (bad URL, SOCKS). */
export class ProxyError extends Error {
  override name = "ProxyError";
}

function envAny(env: Record<string, string | undefined>, names: string[]) {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v !== "") return { name, value: v };
  }
  return undefined;
}

function parseProxy(value: string, variable: string): ProxyChoice {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  // `proxy.corp:3128` parses with the scheme `proxy.corp`: Go then tries http:// in front.
  if (url === undefined || !["http:", "https:", "socks5:"].includes(url.protocol)) {
    try {
      url = new URL(`http://${value}`);
    } catch {
      throw new ProxyError(`${variable} is not a proxy URL`);
    }
  }
  if (url.protocol === "socks5:")
    throw new ProxyError(`${variable}: SOCKS proxies are not supported; give an HTTP(S) proxy`);
  return { url, variable };
}

export function proxyConfigFromEnv(env: Record<string, string | undefined>): ProxyConfig {
  const http = envAny(env, ["HTTP_PROXY", "http_proxy"]);
  const https = envAny(env, ["HTTPS_PROXY", "https_proxy"]);
  return {
    http: http && parseProxy(http.value, http.name),
    https: https && parseProxy(https.value, https.name),
    noProxy: new NoProxy(envAny(env, ["NO_PROXY", "no_proxy"])?.value ?? ""),
    cgi: (env.REQUEST_METHOD ?? "") !== "",
  };
}

/** The proxy for `url`, or undefined to connect directly. */
export function proxyFor(cfg: ProxyConfig, url: URL): ProxyChoice | undefined {
  const choice =
    url.protocol === "https:" ? cfg.https : url.protocol === "http:" ? cfg.http : undefined;
  if (choice === undefined) return undefined;
  if (url.protocol === "http:" && cfg.cgi)
    throw new ProxyError(
      `refusing to use ${choice.variable} in a CGI environment (REQUEST_METHOD is set)`,
    );
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return cfg.noProxy.useProxy(url.hostname, port) ? choice : undefined;
}

interface DomainRule {
  /** Always with a leading dot. */
  suffix: string;
  /** Whether the bare domain itself matches too (`example.com`, not `.example.com`). */
  andItself: boolean;
  port: string;
}

interface IpRule {
  ip: string;
  family: "ipv4" | "ipv6";
  port: string;
}

/** A parsed NO_PROXY value. */
export class NoProxy {
  private all = false;
  /** Only when NO_PROXY has a CIDR (a BlockList holds a native handle: see isLoopbackIp). */
  private ranges: BlockList | undefined;
  private readonly ips: IpRule[] = [];
  private readonly domains: DomainRule[] = [];

  constructor(value: string) {
    for (const raw of value.split(",")) {
      const entry = raw.trim().toLowerCase();
      if (entry === "") continue;
      if (entry === "*") {
        this.all = true;
        return;
      }
      if (this.addRange(entry)) continue;
      const [bare, port] = splitHostPort(entry) ?? [entry, ""];
      let host = bare;
      if (host === "") continue; // `:1`: malformed, ignored as Go does
      if (host.startsWith("[") && host.endsWith("]")) host = host.slice(1, -1);
      const family = isIP(host);
      if (family !== 0) {
        this.ips.push({ ip: host, family: family === 4 ? "ipv4" : "ipv6", port });
        continue;
      }
      if (host.startsWith("*.")) host = host.slice(1);
      const andItself = !host.startsWith(".");
      const suffix =
        domainToASCII(andItself ? `.${host}` : host) || (andItself ? `.${host}` : host);
      this.domains.push({ suffix, andItself, port });
    }
  }

  private addRange(entry: string): boolean {
    const m = /^([^/]+)\/(\d{1,3})$/.exec(entry);
    if (!m) return false;
    const family = isIP(m[1] as string);
    const bits = Number(m[2]);
    if (family === 0 || bits > (family === 4 ? 32 : 128)) return false;
    (this.ranges ??= new BlockList()).addSubnet(
      m[1] as string,
      bits,
      family === 4 ? "ipv4" : "ipv6",
    );
    return true;
  }

  /** Whether a request to `host` (a name or an IP, IPv6 with or without brackets) and `port` goes through the proxy. */
  useProxy(hostname: string, port: string): boolean {
    const host = hostname.replace(/^\[|\]$/g, "").toLowerCase();
    if (host === "localhost") return false;
    const family = isIP(host);
    if (family !== 0 && isLoopbackIp(host, family)) return false;
    if (this.all) return false;
    if (family !== 0) {
      const type = family === 4 ? "ipv4" : "ipv6";
      if (this.ranges?.check(host, type)) return false;
      for (const r of this.ips) {
        if (r.family === type && sameIp(r.ip, host, type) && (r.port === "" || r.port === port))
          return false;
      }
    }
    const name = domainToASCII(host) || host;
    for (const d of this.domains) {
      if (name.endsWith(d.suffix) || (d.andItself && name === d.suffix.slice(1)))
        if (d.port === "" || d.port === port) return false;
    }
    return true;
  }
}

function splitHostPort(s: string): [string, string] | undefined {
  const m = /^(\[[^\]]*\]|[^:]*):(\d*)$/.exec(s);
  return m ? [m[1] as string, m[2] as string] : undefined;
}

function sameIp(a: string, b: string, type: "ipv4" | "ipv6"): boolean {
  const one = new BlockList();
  one.addAddress(a, type);
  return one.check(b, type);
}

// Made on first use: a BlockList holds a native handle, which the start-up snapshot (where
// this module is evaluated) cannot keep.
let loopback: BlockList | undefined;

function isLoopbackIp(ip: string, family: number): boolean {
  if (loopback === undefined) {
    loopback = new BlockList();
    loopback.addSubnet("127.0.0.0", 8, "ipv4");
    loopback.addAddress("::1", "ipv6");
    loopback.addSubnet("::ffff:127.0.0.0", 104, "ipv6");
  }
  return loopback.check(ip, family === 4 ? "ipv4" : "ipv6");
}
