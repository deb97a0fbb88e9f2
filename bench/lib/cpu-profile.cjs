// Preloaded into the API process by `npm run bench -- --cpu-prof` (node -r): samples the CPU from start and, on
// SIGWINCH, writes a .cpuprofile (open it in Chrome DevTools or speedscope) to BENCH_CPU_PROFILE. Node's own
// --cpu-prof writes only on a normal exit, and the service exits through its signal handlers.
const { Session } = require('node:inspector');
const { writeFileSync } = require('node:fs');

const session = new Session();
session.connect();
session.post('Profiler.enable', () => session.post('Profiler.start'));
process.on('SIGWINCH', () => {
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(process.env.BENCH_CPU_PROFILE, JSON.stringify(result.profile));
  });
});
