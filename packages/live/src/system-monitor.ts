/**
 * DVCLive's `monitor_system`: CPU and RAM usage and disk usage of the monitored folders, as
 * `system/*` metrics with `timestamp: true`, averaged over samples; totals go to the summary.
 * (No GPU metrics: Node has no portable way to read them.)
 */
import { statfsSync } from 'node:fs';
import { cpus, freemem, loadavg, totalmem } from 'node:os';
import { float } from './py-values.js';

interface Logger {
  summary: Record<string, unknown>;
  logMetric(
    name: string,
    value: number | ReturnType<typeof float>,
    o: { timestamp: boolean },
  ): void;
}

const GB = 1024 ** 3;

export function startSystemMonitor(
  live: Logger,
  options: { intervalMs?: number; directories?: Record<string, string> },
): () => void {
  const dirs = options.directories ?? { main: '/' };
  const count = cpus().length;
  live.summary.system ??= {};
  const system = live.summary.system as Record<string, Record<string, unknown>>;
  system.cpu = { ...(system.cpu ?? {}), count };
  system.ram = { ...(system.ram ?? {}), 'total (GB)': float(totalmem() / GB) };
  let prev = cpuTimes();
  const timer = setInterval(() => {
    const now = cpuTimes();
    const busy = now.busy - prev.busy;
    const total = now.total - prev.total;
    prev = now;
    const usage = total > 0 ? (100 * busy) / total : 0;
    live.logMetric('system/cpu/usage (%)', float(usage), { timestamp: true });
    live.logMetric(
      'system/cpu/parallelization (%)',
      float(Math.min(100, (100 * (loadavg()[0] ?? 0)) / count)),
      { timestamp: true },
    );
    const used = totalmem() - freemem();
    live.logMetric('system/ram/usage (%)', float((100 * used) / totalmem()), { timestamp: true });
    live.logMetric('system/ram/usage (GB)', float(used / GB), { timestamp: true });
    for (const [name, path] of Object.entries(dirs)) {
      try {
        const s = statfsSync(path);
        const size = s.blocks * s.bsize;
        const free = s.bfree * s.bsize;
        live.logMetric(`system/disk/usage (%)/${name}`, float((100 * (size - free)) / size), {
          timestamp: true,
        });
        live.logMetric(`system/disk/usage (GB)/${name}`, float((size - free) / GB), {
          timestamp: true,
        });
      } catch {
        // A folder that went away is skipped, as a failed psutil call is.
      }
    }
  }, options.intervalMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}
