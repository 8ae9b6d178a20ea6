// One case of bench/logging.bench.ts, run as its own process with stdout on
// /dev/null: logs N records, then reports {records, ms} as JSON on stderr.
//   plain-winston  winston.createLogger, format.json(), a Stream transport on stdout
//   pino           pino() on stdout (its default: JSON, synchronous to the fd)
//   callscope      getLogger (run under --import callscope/register): JSON to stdout,
//                  trace ids of an active span, OTLP export of every record, flushed
//                  before the clock stops
import { context, trace } from '@opentelemetry/api';

const [kind, countText] = process.argv.slice(2);
const N = Number(countText);
const fields = { userId: 42, route: '/orders' };

async function main() {
  let log;
  let finish = async () => {};
  if (kind === 'plain-winston') {
    const { default: winston } = await import('winston');
    const logger = winston.createLogger({ level: 'info', format: winston.format.combine(winston.format.timestamp(), winston.format.json()), transports: [new winston.transports.Stream({ stream: process.stdout })] });
    log = (i) => logger.info('order placed', { ...fields, i });
  } else if (kind === 'pino') {
    const { default: pino } = await import('pino');
    const logger = pino();
    log = (i) => logger.info({ ...fields, i }, 'order placed');
  } else {
    const { getLogger, flush } = await import('callscope');
    const logger = getLogger('bench');
    log = (i) => logger.info('order placed', { ...fields, i });
    finish = flush;
  }
  // Inside a span, so the callscope case pays for correlation (the others ignore it).
  const span = trace.getTracer('bench').startSpan('request');
  await context.with(trace.setSpan(context.active(), span), async () => {
    for (let i = 0; i < 2000; i++) log(i); // warm-up
    await finish();
    const started = process.hrtime.bigint();
    for (let i = 0; i < N; i++) log(i);
    await new Promise((resolve) => setImmediate(resolve));
    const callsMs = Number(process.hrtime.bigint() - started) / 1e6;
    await finish();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stderr.write(`\n${JSON.stringify({ records: N, ms, callsMs })}\n`);
  });
  span.end();
}

main();
