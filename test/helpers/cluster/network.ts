import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export interface NetHost {
  name: string;
  /** The namespace's name (`ip netns exec <ns>`). */
  ns: string;
  address: string;
  /** The host-side end of its veth: `down` cuts the host off the network. */
  link: string;
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** Why network namespaces cannot be built here, or null. */
export function netnsProblem(): string | null {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  const probe = `slprobe${randomBytes(2).toString('hex')}`;
  try {
    ip('netns', 'add', probe);
    ip('netns', 'del', probe);
    return null;
  } catch (error) {
    return `ip netns is not permitted here (${String((error as { stderr?: Buffer }).stderr ?? error).trim().split('\n')[0]})`;
  }
}

/**
 * A bridge at `<subnet>.1` in the root namespace and one namespace per host on it, each with a veth,
 * its own address and a default route via the bridge: hosts reach each other and the bridge address,
 * where the test forwards PostgreSQL and the S3 gateway. Names carry a random tag, so runs never clash.
 */
export function buildNetwork(subnet: string, hostNames: readonly string[]): { gateway: string; hosts: Map<string, NetHost>; teardown(): void } {
  const tag = randomBytes(2).toString('hex');
  const bridge = `slbr${tag}`;
  const gateway = `${subnet}.1`;
  const hosts = new Map<string, NetHost>();
  ip('link', 'add', bridge, 'type', 'bridge');
  ip('addr', 'add', `${gateway}/24`, 'dev', bridge);
  ip('link', 'set', bridge, 'up');
  const teardown = () => {
    for (const host of hosts.values()) {
      try {
        ip('netns', 'del', host.ns);
      } catch {
        // already gone
      }
    }
    try {
      ip('link', 'del', bridge);
    } catch {
      // already gone
    }
  };
  try {
    hostNames.forEach((name, i) => {
      const ns = `sl${tag}${name}`;
      const link = `slv${tag}${i}`;
      const address = `${subnet}.${11 + i}`;
      ip('netns', 'add', ns);
      hosts.set(name, { name, ns, address, link });
      ip('link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`);
      ip('link', 'set', `${link}p`, 'netns', ns);
      ip('link', 'set', link, 'master', bridge, 'up');
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', `${link}p`);
      ip('-n', ns, 'link', 'set', `${link}p`, 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      ip('-n', ns, 'route', 'add', 'default', 'via', gateway);
    });
  } catch (error) {
    teardown();
    throw error;
  }
  return { gateway, hosts, teardown };
}

/** An address of a second network that only this host reaches (on its loopback: no dummy module needed). */
export function addPrivateNetwork(host: NetHost, address: string): void {
  ip('-n', host.ns, 'addr', 'add', `${address}/32`, 'dev', 'lo');
}

export function setLink(host: NetHost, state: 'up' | 'down'): void {
  ip('link', 'set', host.link, state);
}
