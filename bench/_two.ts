import { createThreadExecutor } from "../src/parallel/index.js";
import { descentGemmGflops } from "./descent.js";
const ex = createThreadExecutor(2);
for (let r = 0; r < 4; r++) {
  const one = descentGemmGflops(512, 512, 512, false, false, null, 600);
  const two = descentGemmGflops(512, 512, 512, false, false, ex, 600);
  console.log("512^3 1T", one.toFixed(1), "2T", two.toFixed(1), (two / one).toFixed(2));
}
await ex.close();
