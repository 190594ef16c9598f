// Where the gateway spends its time, from a V8 CPU profile of the bundle (`node --cpu-prof`): self
// time per source file or package, mapped back through the bundle's source map. System calls
// (native write/read) are charged to the nearest file that made them, which is how the cost of a
// Redis write or a log line shows up next to the code that caused it.
import { readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileShare {
  where: string;
  /** Share of the busy (non-idle) time, 0-1. */
  share: number;
}

/** Busy time by source; samples in the first `skipMs` (start-up) are left out. */
export function summarizeProfile(profilePath: string, bundlePath: string, skipMs = 3000): ProfileShare[] {
  const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as CpuProfile;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundlePath}.map`, 'utf8')));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const where = (n: ProfileNode): string => {
    const { url, functionName, lineNumber, columnNumber } = n.callFrame;
    if (url.endsWith('.mjs') && url.includes(bundlePath.split('/').pop()!)) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string };
      const source = entry.originalSource ?? '?';
      const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(source);
      return pkg ? pkg[1]! : source.replace(/^.*?\/?((runtime|src)\/)/, '$1');
    }
    if (url.startsWith('node:'))
      return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(14).split('/')[0] : url.slice(5)}`;
    return functionName.startsWith('(') ? functionName : `native:${functionName}`;
  };
  const owner = (id: number): string => {
    let cur: number | undefined = id;
    while (cur !== undefined) {
      const w = where(nodes.get(cur)!);
      if (!w.startsWith('node:') && !w.startsWith('native:') && !w.startsWith('(')) return w;
      cur = parent.get(cur);
    }
    return '?';
  };

  const time = new Map<string, number>();
  let clock = 0;
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    clock += dt;
    const node = nodes.get(id)!;
    if (clock < skipMs * 1000 || node.callFrame.functionName === '(idle)') return;
    let key = where(node);
    if (key.startsWith('native:') || key.startsWith('node:')) key = `${key} <- ${owner(id)}`;
    time.set(key, (time.get(key) ?? 0) + dt);
    busy += dt;
  });
  return [...time]
    .map(([w, t]) => ({ where: w, share: busy ? t / busy : 0 }))
    .sort((a, b) => b.share - a.share);
}
