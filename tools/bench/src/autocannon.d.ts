// The parts of autocannon 8 the REST benchmark uses (the package ships no types).
declare module 'autocannon' {
  interface Histogram {
    readonly average: number;
    readonly mean: number;
    readonly stddev: number;
    readonly min: number;
    readonly max: number;
    readonly p50: number;
    readonly p90: number;
    readonly p97_5: number;
    readonly p99: number;
    readonly total: number;
  }
  interface Result {
    readonly duration: number;
    readonly errors: number;
    readonly timeouts: number;
    readonly non2xx: number;
    readonly '2xx': number;
    readonly '4xx': number;
    readonly '5xx': number;
    readonly latency: Histogram;
    readonly requests: Histogram & { readonly sent: number };
  }
  interface Options {
    readonly url: string;
    readonly connections?: number;
    readonly duration?: number;
    readonly amount?: number;
    readonly headers?: Record<string, string>;
    readonly method?: string;
    readonly body?: string;
    readonly timeout?: number;
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
