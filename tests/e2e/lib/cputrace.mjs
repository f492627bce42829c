// Main-thread CPU time of the page's frames, from a Chrome trace (e2e --cpu-trace).
// Why: issue #19's bars (no frame over 200 ms of our code, job slices <= 50 ms) are read from
// wall-clock times in status(), and on a loaded 2-core machine the wall clock also holds the time
// the renderer's main thread waited for a core. The trace's `tdur` of each FireAnimationFrame (the
// app's requestAnimationFrame callback: a frame's draw and the job slices run inside it) is the
// thread's own CPU time, which the load does not inflate.

export const CPU_TRACE_CATEGORIES = ['devtools.timeline', 'v8.wasm'];

/**
 * Summarises a trace (the JSON text or Buffer Playwright's stopTracing returns).
 * The renderer's main thread is the one with the most FireAnimationFrame events (one page per
 * case). The first frame is left out: it is the module's start (every function it reaches is
 * compiled then), before any ?run= job exists.
 */
export function summariseCpuTrace(buf) {
  const data = JSON.parse(buf.toString());
  const events = Array.isArray(data) ? data : data.traceEvents || [];
  const counts = new Map();
  for (const e of events) {
    if (e.ph === 'X' && e.name === 'FireAnimationFrame') {
      const key = `${e.pid}:${e.tid}`;
      counts.set(key, (counts.get(key) || 0) + 1);
    }
  }
  if (!counts.size) return null;
  const main = [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
  const onMain = (e) => `${e.pid}:${e.tid}` === main;
  const frames = events.filter((e) => e.ph === 'X' && e.name === 'FireAnimationFrame' && onMain(e))
    .sort((a, b) => a.ts - b.ts).slice(1);
  const lazy = events.filter((e) => e.ph === 'X' && e.name === 'wasm.CompileLazy' && onMain(e));
  let worstCpu = null, worstWall = null;
  let over50 = 0, over200 = 0, over50Wall = 0, over200Wall = 0;
  for (const f of frames) {
    const cpu = (f.tdur || 0) / 1000, wall = f.dur / 1000;
    if (cpu > 50) over50++;
    if (cpu > 200) over200++;
    if (wall > 50) over50Wall++;
    if (wall > 200) over200Wall++;
    if (!worstCpu || cpu > worstCpu.cpu) worstCpu = { cpu, wall, ts: f.ts, end: f.ts + f.dur };
    if (!worstWall || wall > worstWall.wall) worstWall = { cpu, wall };
  }
  // V8 compiles wasm functions lazily, on their first call: what of the worst frame was that.
  if (worstCpu) {
    worstCpu.lazyCpu = lazy.filter((e) => e.ts >= worstCpu.ts && e.ts < worstCpu.end)
      .reduce((s, e) => s + (e.tdur || 0) / 1000, 0);
  }
  return { frames: frames.length, worstCpu, worstWall, over50, over200, over50Wall, over200Wall };
}

export function describeCpuTrace(name, s) {
  if (!s) return `# ${name}: cpu trace: no frames traced`;
  const f = (x) => x.toFixed(0);
  return `# ${name}: cpu trace: ${s.frames} frames after the first; longest frame ${f(s.worstCpu.cpu)} ms CPU ` +
    `(${f(s.worstCpu.wall)} ms wall, of it ${f(s.worstCpu.lazyCpu)} ms CPU compiling wasm lazily); longest by wall ` +
    `${f(s.worstWall.wall)} ms (${f(s.worstWall.cpu)} ms CPU); frames over 50 / 200 ms: CPU ${s.over50} / ${s.over200}, ` +
    `wall ${s.over50Wall} / ${s.over200Wall}`;
}
