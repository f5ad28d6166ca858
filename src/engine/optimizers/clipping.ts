/** Clamps each gradient element to [-limit, limit]. */
export function clipByValue(grad: Float32Array, limit: number): void {
  for (let i = 0; i < grad.length; i++) {
    if (grad[i] > limit) grad[i] = limit;
    else if (grad[i] < -limit) grad[i] = -limit;
  }
}

/** Scales all gradients together so that their joint L2 norm is at most maxNorm (keeps the direction). */
export function clipByGlobalNorm(grads: readonly Float32Array[], maxNorm: number): void {
  let squares = 0;
  for (const g of grads) for (let i = 0; i < g.length; i++) squares += g[i] * g[i];
  const norm = Math.sqrt(squares);
  if (norm <= maxNorm) return;
  const scale = maxNorm / norm;
  for (const g of grads) for (let i = 0; i < g.length; i++) g[i] *= scale;
}
