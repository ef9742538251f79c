// Numeric helpers shared by aggregations and functions.

import { formatFloatG } from "../../parser/go-format";

/** Kahan–Neumaier compensated summation step (Go's kahanSumInc): returns [sum, compensation]. */
export function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (t === Infinity || t === -Infinity) c = 0;
  else if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** The warning for a quantile outside [0, 1] (quantile, quantile_over_time, histogram_quantile). */
export function invalidQuantileWarning(q: number): string {
  return `quantile value should be between 0 and 1, got ${formatFloatG(q)}`;
}
