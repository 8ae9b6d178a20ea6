// autocannon ships no types; the benchmarks use only this much of it.
declare module 'autocannon' {
  interface Result {
    requests: { average: number; total: number; p99?: number };
    latency: { average: number; p99: number };
  }
  export default function autocannon(options: { url: string; connections?: number; duration?: number }): Promise<Result>;
}
