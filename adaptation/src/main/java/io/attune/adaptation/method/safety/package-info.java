/**
 * Safety for the gradient methods (TENT, EATA, SAR). {@link
 * io.attune.adaptation.method.safety.CollapseGuard} and {@link
 * io.attune.adaptation.method.safety.StochasticRestore} decorate any
 * {@link io.attune.adaptation.method.AdaptationMethod}: they see its state and outputs only, and
 * keep their own state in the same {@link io.attune.adaptation.method.MethodState}, so a wrapped
 * method stays resumable bit for bit. {@link io.attune.adaptation.method.safety.OpenSetFilter}
 * has to act inside the loss, so it is a {@link io.attune.adaptation.method.SampleMask} that the
 * entropy methods take.
 */
package io.attune.adaptation.method.safety;
