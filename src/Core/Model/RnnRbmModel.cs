using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

/// <summary>A trained (or training) RNN-RBM: its parameters and its manifest.</summary>
public sealed class RnnRbmModel
{
    /// <summary>Pairs parameters with a manifest that describes them (shapes must agree).</summary>
    /// <param name="parameters">θ.</param>
    /// <param name="manifest">Its self-description.</param>
    /// <param name="velocity">A training checkpoint's momentum velocity (same shape), stored after the weights; the manifest's checkpoint must say so.</param>
    /// <param name="best">A training checkpoint's best validated parameters (same shape), stored after the velocity; the manifest's checkpoint must say so.</param>
    /// <param name="average">A training checkpoint's moving average of the parameters (same shape), stored last; the manifest's checkpoint must say so.</param>
    public RnnRbmModel(RnnRbmParameters parameters, ModelManifest manifest, RnnRbmParameters? velocity = null, RnnRbmParameters? best = null,
        RnnRbmParameters? average = null)
    {
        if (manifest.Shape.ToShape() != parameters.Shape)
        {
            throw new ArgumentException("The manifest's shape differs from the parameters'.", nameof(manifest));
        }
        if (manifest.PitchRange.ToRange().Count != parameters.Shape.Visible)
        {
            throw new ArgumentException("The pitch range's size differs from the number of visible units.", nameof(manifest));
        }
        if ((velocity is not null) != (manifest.Checkpoint?.Velocity ?? false) || (velocity is not null && velocity.Shape != parameters.Shape))
        {
            throw new ArgumentException("A velocity goes with a checkpoint that declares it, and has the parameters' shape.", nameof(velocity));
        }
        if ((best is not null) != (manifest.Checkpoint?.Best ?? false) || (best is not null && best.Shape != parameters.Shape))
        {
            throw new ArgumentException("Best parameters go with a checkpoint that declares them, and have the parameters' shape.", nameof(best));
        }
        if ((average is not null) != (manifest.Checkpoint?.Average ?? false) || (average is not null && average.Shape != parameters.Shape))
        {
            throw new ArgumentException("An average goes with a checkpoint that declares it, and has the parameters' shape.", nameof(average));
        }
        Parameters = parameters;
        Manifest = manifest;
        Velocity = velocity;
        Best = best;
        Average = average;
    }

    /// <summary>The moving average of the parameters of a training checkpoint that averages (null otherwise).</summary>
    public RnnRbmParameters? Average { get; }

    /// <summary>The best validated parameters of a training checkpoint (null in a plain model).</summary>
    public RnnRbmParameters? Best { get; }

    /// <summary>θ.</summary>
    public RnnRbmParameters Parameters { get; }

    /// <summary>The momentum velocity of a training checkpoint (null in a plain model).</summary>
    public RnnRbmParameters? Velocity { get; }

    /// <summary>The self-description.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Pitches of the visible units.</summary>
    public PitchRange Range => Manifest.PitchRange.ToRange();

    /// <summary>The time step the model learned at.</summary>
    public TimeGrid Grid => Manifest.TimeGrid.ToGrid();
}
