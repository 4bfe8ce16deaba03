using RnnRbm.Core.PianoRolls;

namespace RnnRbm.Core.Model;

/// <summary>
/// A filled gap (<see cref="RnnRbmGenerator.FillGap"/>): the piece with the chosen candidate in the gap, every candidate
/// sampled, and the scores the choice was weighted by.
/// </summary>
/// <param name="Piece">The piece, unchanged outside the gap, with the chosen candidate inside it.</param>
/// <param name="Candidates">Every filling sampled for the gap, in the order drawn.</param>
/// <param name="Scores">
/// Each candidate's log pseudo-likelihood of the steps after the gap (0 for all when nothing follows the gap): the
/// candidate was chosen with probability ∝ exp(score).
/// </param>
/// <param name="Chosen">The index of the candidate in <paramref name="Piece"/>.</param>
/// <param name="ScoredSteps">How many steps after the gap were scored (the right context, bounded).</param>
public sealed record GapFill(PianoRoll Piece, IReadOnlyList<PianoRoll> Candidates, IReadOnlyList<double> Scores, int Chosen, int ScoredSteps)
{
    /// <summary>The probability each candidate had of being chosen: exp(score) normalised.</summary>
    public IReadOnlyList<double> Weights()
    {
        double max = Scores.Max();
        double[] w = [.. Scores.Select(s => Math.Exp(s - max))];
        double total = w.Sum();
        return [.. w.Select(x => x / total)];
    }
}
