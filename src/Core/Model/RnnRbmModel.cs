using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

/// <summary>A trained (or training) RNN-RBM: its parameters and its manifest.</summary>
public sealed class RnnRbmModel
{
    /// <summary>Pairs parameters with a manifest that describes them (shapes must agree).</summary>
    public RnnRbmModel(RnnRbmParameters parameters, ModelManifest manifest)
    {
        if (manifest.Shape.ToShape() != parameters.Shape)
        {
            throw new ArgumentException("The manifest's shape differs from the parameters'.", nameof(manifest));
        }
        if (manifest.PitchRange.ToRange().Count != parameters.Shape.Visible)
        {
            throw new ArgumentException("The pitch range's size differs from the number of visible units.", nameof(manifest));
        }
        Parameters = parameters;
        Manifest = manifest;
    }

    /// <summary>θ.</summary>
    public RnnRbmParameters Parameters { get; }

    /// <summary>The self-description.</summary>
    public ModelManifest Manifest { get; }

    /// <summary>Pitches of the visible units.</summary>
    public PitchRange Range => Manifest.PitchRange.ToRange();

    /// <summary>The time step the model learned at.</summary>
    public TimeGrid Grid => Manifest.TimeGrid.ToGrid();
}
