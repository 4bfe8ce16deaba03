namespace RnnRbm.Core.Rendering;

/// <summary>One point of a training curve: the monitored value after <paramref name="Epoch"/>.</summary>
/// <param name="Epoch">The epoch number (x).</param>
/// <param name="Value">The monitor's value (y), e.g. mean log-likelihood or cost; non-finite values are skipped when drawn.</param>
public readonly record struct CurvePoint(int Epoch, double Value);
