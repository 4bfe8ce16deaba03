namespace RnnRbm.Core.Limits;

/// <summary>
/// The largest request bodies, declared once beside the field bounds: the service answers a longer body with 413 before
/// reading more of it (issue 13: a 60 MB training body used to be parsed whole). Each request type names its cap from
/// here (<see cref="Training.TrainingLimits.MaxBodyBytes"/>, <see cref="Evaluation.EvaluationLimits.MaxBodyBytes"/>,
/// <see cref="Model.GenerationLimits.MaxBodyBytes"/>).
/// </summary>
public static class BodyLimits
{
    /// <summary>
    /// A body of fields only: the longest real training request (every field, long decimals) is under 1 KiB, so 16 KiB
    /// leaves room for whitespace and pretty-printing and none for an attack.
    /// </summary>
    public const int FieldsOnly = 16 * 1024;

    /// <summary>A body of fields plus one file of at most <paramref name="fileBytes"/> bytes as base64 (a data URL's prefix included).</summary>
    public static long WithFile(long fileBytes) => WithFiles(1, fileBytes);

    /// <summary>A body of fields plus <paramref name="count"/> files of at most <paramref name="fileBytes"/> bytes each as base64.</summary>
    public static long WithFiles(int count, long fileBytes) => (count * 4 * ((fileBytes + 2) / 3)) + FieldsOnly;
}
