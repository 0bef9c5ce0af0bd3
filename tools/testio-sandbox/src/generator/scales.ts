import type { SandboxScale } from '../types.js';

export interface ScaleConfig {
  products: number;
  /** Every test the account will ever hold, including the few created after the anchor. */
  tests: number;
  meanBugsPerTest: number;
  featuresPerProduct: readonly [number, number];
  /** Zipf exponent of tests per product; the largest product gets a large share. */
  productSkew: number;
}

export const SCALE_CONFIG: Record<SandboxScale, ScaleConfig> = {
  demo: { products: 3, tests: 60, meanBugsPerTest: 9, featuresPerProduct: [5, 9], productSkew: 0.8 },
  small: { products: 5, tests: 500, meanBugsPerTest: 20, featuresPerProduct: [8, 20], productSkew: 1 },
  medium: {
    products: 20,
    tests: 10_000,
    meanBugsPerTest: 20,
    featuresPerProduct: [10, 40],
    productSkew: 1.1,
  },
  large: { products: 50, tests: 50_000, meanBugsPerTest: 20, featuresPerProduct: [10, 60], productSkew: 1.1 },
};
