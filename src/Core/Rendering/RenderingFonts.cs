using System.Reflection;
using ScottPlot;
using SkiaSharp;

namespace RnnRbm.Core.Rendering;

/// <summary>
/// The one font every image is drawn with: DejaVu Sans, embedded in this assembly
/// (<c>Rendering/Fonts/</c>, licence in <c>LICENSE-DejaVu.txt</c>).
/// Headless Linux machines have no fonts at all, and SkiaSharp's NoDependencies native asset
/// cannot ask fontconfig anyway, so a typeface looked up by name silently renders no text.
/// Loading the bytes from the assembly makes every machine draw the same glyphs.
/// </summary>
internal static class RenderingFonts
{
    /// <summary>
    /// The family name ScottPlot knows our font by. Deliberately not "DejaVu Sans": a system
    /// resolver that happened to know that name would answer with a system file instead of ours.
    /// </summary>
    public const string FamilyName = "RnnRbm DejaVu Sans";

    private const string ResourcePrefix = "RnnRbm.Core.Rendering.Fonts.";

    private static readonly byte[] RegularBytes = ReadResource("DejaVuSans.ttf");
    private static readonly byte[] BoldBytes = ReadResource("DejaVuSans-Bold.ttf");

    // SKTypeface is immutable and reference-counted inside Skia, so one instance may be shared by
    // every thread's SKFont; they live for the process and are never disposed.
    public static SKTypeface Regular { get; } = CreateTypeface(RegularBytes);

    public static SKTypeface Bold { get; } = CreateTypeface(BoldBytes);

    private static readonly Lazy<bool> ScottPlotRegistration = new(RegisterWithScottPlot, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Makes <see cref="FamilyName"/> resolvable by ScottPlot. Idempotent and thread-safe: the
    /// resolver list is a plain <see cref="List{T}"/>, so it is changed exactly once, under the lazy's lock.
    /// </summary>
    public static void EnsureScottPlotFonts() => _ = ScottPlotRegistration.Value;

    /// <summary>Creates a fresh typeface from the embedded bytes (callers may dispose it).</summary>
    internal static SKTypeface CreateTypeface(bool bold) => CreateTypeface(bold ? BoldBytes : RegularBytes);

    private static bool RegisterWithScottPlot()
    {
        // First in the list: ScottPlot asks resolvers in order, and its system resolver answers
        // any name with a (possibly glyph-less) default typeface.
        Fonts.FontResolvers.Insert(0, new EmbeddedFontResolver());
        return true;
    }

    private static SKTypeface CreateTypeface(byte[] bytes)
    {
        using var data = SKData.CreateCopy(bytes);
        return SKTypeface.FromData(data)
            ?? throw new InvalidOperationException("The embedded DejaVu Sans font could not be loaded by SkiaSharp.");
    }

    private static byte[] ReadResource(string fileName)
    {
        using Stream stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(ResourcePrefix + fileName)
            ?? throw new InvalidOperationException($"Embedded font resource {ResourcePrefix}{fileName} is missing from {typeof(RenderingFonts).Assembly.GetName().Name}.");
        using var buffer = new MemoryStream((int)stream.Length);
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    /// <summary>ScottPlot's stream equivalent of <c>Fonts.AddFontFile</c>: answers only for our family.</summary>
    private sealed class EmbeddedFontResolver : IFontResolver
    {
        // ScottPlot caches what a resolver returns and may dispose typefaces it owns, so each call
        // hands out a new instance rather than the shared Regular/Bold.
        public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing width) =>
            IsOurs(fontName) ? RenderingFonts.CreateTypeface(weight >= FontWeight.SemiBold) : null;

        public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) =>
            IsOurs(fontName) ? RenderingFonts.CreateTypeface(bold) : null;

        private static bool IsOurs(string fontName) => string.Equals(fontName, FamilyName, StringComparison.OrdinalIgnoreCase);
    }
}
