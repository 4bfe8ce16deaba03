using SkiaSharp;

namespace RnnRbm.Core.Tests.Rendering;

/// <summary>Decodes PNG bytes the way a browser would, and reads pixels back for assertions.</summary>
internal sealed class Png : IDisposable
{
    private readonly SKBitmap _bitmap;

    private Png(SKBitmap bitmap) => _bitmap = bitmap;

    public int Width => _bitmap.Width;

    public int Height => _bitmap.Height;

    public static Png Decode(byte[] bytes)
    {
        Assert.True(bytes.Length > 8, "no PNG bytes");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        SKBitmap? bitmap = SKBitmap.Decode(bytes);
        Assert.NotNull(bitmap);
        return new Png(bitmap);
    }

    /// <summary>Perceived brightness 0 (black) … 255 (white).</summary>
    public double Luminance(int x, int y)
    {
        SKColor c = _bitmap.GetPixel(x, y);
        return 0.2126 * c.Red + 0.7152 * c.Green + 0.0722 * c.Blue;
    }

    /// <summary>Pixels darker than mid-grey inside [left, right) × [top, bottom): ink, glyphs, cells.</summary>
    public int CountDark(int left, int top, int right, int bottom, double threshold = 128)
    {
        int count = 0;
        for (int y = Math.Max(0, top); y < Math.Min(Height, bottom); y++)
        {
            for (int x = Math.Max(0, left); x < Math.Min(Width, right); x++)
            {
                if (Luminance(x, y) < threshold)
                {
                    count++;
                }
            }
        }
        return count;
    }

    /// <summary>Pixels that differ between two same-sized images inside the region.</summary>
    public int CountDifferent(Png other, int left, int top, int right, int bottom)
    {
        Assert.Equal((Width, Height), (other.Width, other.Height));
        int count = 0;
        for (int y = Math.Max(0, top); y < Math.Min(Height, bottom); y++)
        {
            for (int x = Math.Max(0, left); x < Math.Min(Width, right); x++)
            {
                if (_bitmap.GetPixel(x, y) != other._bitmap.GetPixel(x, y))
                {
                    count++;
                }
            }
        }
        return count;
    }

    public void Dispose() => _bitmap.Dispose();
}
