package io.attune.adaptation.method.optim;

/**
 * Stochastic gradient descent with momentum, as PyTorch's {@code torch.optim.SGD} computes it
 * (so that methods match their official code step for step):
 * <pre>
 *   g = grad + weightDecay * p
 *   b = momentum * b + (1 - dampening) * g      (b = g on the first step)
 *   d = nesterov ? g + momentum * b : b          (d = g when momentum is 0)
 *   p = p - lr * d
 * </pre>
 *
 * @param lr learning rate, > 0
 * @param momentum in [0, 1)
 * @param dampening in [0, 1]; PyTorch's default 0
 * @param weightDecay L2 penalty added to the gradient, >= 0
 * @param nesterov Nesterov momentum (needs momentum > 0 and dampening 0, as in PyTorch)
 */
public record Sgd(float lr, float momentum, float dampening, float weightDecay,
    boolean nesterov) implements Optimizer {

  public Sgd {
    if (!(lr > 0)) {
      throw new IllegalArgumentException("SGD lr must be positive, got " + lr);
    }
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("SGD momentum must be in [0, 1), got " + momentum);
    }
    if (!(dampening >= 0 && dampening <= 1)) {
      throw new IllegalArgumentException("SGD dampening must be in [0, 1], got " + dampening);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("SGD weightDecay must be >= 0, got " + weightDecay);
    }
    if (nesterov && (momentum == 0 || dampening != 0)) {
      throw new IllegalArgumentException("Nesterov SGD needs momentum > 0 and dampening 0");
    }
  }

  @Override
  public OptimizerState initialState(int size) {
    return new OptimizerState(new float[size], new float[0], 0);
  }

  @Override
  public Update step(float[] params, float[] grad, OptimizerState state) {
    float[] p = params.clone();
    float[] b = state.first();
    boolean first = state.steps() == 0;
    for (int i = 0; i < p.length; i++) {
      float g = grad[i] + weightDecay * params[i];
      float d = g;
      if (momentum != 0) {
        b[i] = first ? g : momentum * b[i] + (1 - dampening) * g;
        d = nesterov ? g + momentum * b[i] : b[i];
      }
      p[i] = params[i] - lr * d;
    }
    return new Update(p, new OptimizerState(b, new float[0], state.steps() + 1));
  }
}
