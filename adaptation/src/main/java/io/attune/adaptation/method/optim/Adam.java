package io.attune.adaptation.method.optim;

/**
 * Adam (Kingma and Ba, 2015), as PyTorch's {@code torch.optim.Adam} computes it, with L2
 * weight decay added to the gradient:
 * <pre>
 *   g = grad + weightDecay * p;  m = b1*m + (1-b1)*g;  v = b2*v + (1-b2)*g^2;  t = t + 1
 *   p = p - lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)
 * </pre>
 *
 * @param lr learning rate, > 0 (TENT's CIFAR setting: 1e-3)
 * @param beta1 first-moment decay in [0, 1) (0.9)
 * @param beta2 second-moment decay in [0, 1) (0.999)
 * @param eps added to the denominator, > 0 (1e-8)
 * @param weightDecay L2 penalty added to the gradient, >= 0
 */
public record Adam(float lr, float beta1, float beta2, float eps, float weightDecay)
    implements Optimizer {

  public Adam {
    if (!(lr > 0)) {
      throw new IllegalArgumentException("Adam lr must be positive, got " + lr);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + ", "
          + beta2);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("Adam eps must be positive, got " + eps);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("Adam weightDecay must be >= 0, got " + weightDecay);
    }
  }

  /** PyTorch's defaults with the given learning rate. */
  public static Adam withLearningRate(float lr) {
    return new Adam(lr, 0.9f, 0.999f, 1e-8f, 0f);
  }

  @Override
  public OptimizerState initialState(int size) {
    return new OptimizerState(new float[size], new float[size], 0);
  }

  @Override
  public Update step(float[] params, float[] grad, OptimizerState state) {
    float[] p = params.clone();
    float[] m = state.first();
    float[] v = state.second();
    long t = state.steps() + 1;
    double correction1 = 1 - Math.pow(beta1, t);
    double correction2 = 1 - Math.pow(beta2, t);
    double stepSize = lr / correction1;
    double sqrtCorrection2 = Math.sqrt(correction2);
    for (int i = 0; i < p.length; i++) {
      float g = grad[i] + weightDecay * params[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      double denom = Math.sqrt(v[i]) / sqrtCorrection2 + eps;
      p[i] = (float) (params[i] - stepSize * m[i] / denom);
    }
    return new Update(p, new OptimizerState(m, v, t));
  }
}
