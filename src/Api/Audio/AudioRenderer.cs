using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace RnnRbm.Api.Audio;

/// <summary>What the audio preview can do on this machine (GET /api/audio/status).</summary>
/// <param name="Available">Whether MIDI can be rendered to audio.</param>
/// <param name="Format">"ogg" (Opus) or "wav" when available; null otherwise.</param>
/// <param name="SoundFont">The soundfont's file name; null when it is missing.</param>
/// <param name="Message">Why the preview is off, or what it uses, in words.</param>
public sealed record AudioStatus(bool Available, string? Format, string? SoundFont, string Message);

/// <summary>A rendered preview.</summary>
internal sealed record RenderedAudio(byte[] Bytes, string ContentType, string Extension);

/// <summary>Why a render failed, in words for the client.</summary>
internal sealed class AudioRenderException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
}

/// <summary>
/// Renders MIDI to audio with FluidSynth (then Opus with opusenc when present), each request in a temporary folder
/// of its own with fixed file names: the client's file name never becomes a path. Every process runs with a timeout,
/// and the WAV is watched while it grows so that a MIDI file lasting hours cannot fill the disk.
/// </summary>
internal sealed class AudioRenderer(IOptions<AudioOptions> options, ILogger<AudioRenderer> log)
{
    private readonly AudioOptions _options = options.Value;

    private const int WavBytesPerSecond = 44100 * 2 * 2; // 44.1 kHz, 16-bit, stereo: FluidSynth's file defaults

    public AudioStatus Status()
    {
        string? fluidsynth = Executable.Resolve(_options.FluidSynthPath);
        string? opusenc = Executable.Resolve(_options.OpusEncPath);
        bool soundFont = File.Exists(_options.SoundFont);
        string? soundFontName = soundFont ? Path.GetFileName(_options.SoundFont) : null;
        if (fluidsynth is null)
        {
            return new AudioStatus(false, null, soundFontName,
                "FluidSynth is not installed on the server, so pieces cannot be played in the page; download the MIDI file instead " +
                "(the server's administrator can install it with scripts/install-deps.sh or apt-get install fluidsynth).");
        }
        if (!soundFont)
        {
            return new AudioStatus(false, null, null,
                $"The soundfont {_options.SoundFont} is missing, so pieces cannot be played in the page; download the MIDI file instead " +
                "(apt-get install timgm6mb-soundfont).");
        }
        return opusenc is null
            ? new AudioStatus(true, "wav", soundFontName, $"FluidSynth with {soundFontName}, as WAV (opusenc is not installed).")
            : new AudioStatus(true, "ogg", soundFontName, $"FluidSynth with {soundFontName}, as Ogg Opus.");
    }

    public async Task<RenderedAudio> RenderAsync(byte[] midi, CancellationToken cancellationToken)
    {
        AudioStatus status = Status();
        if (!status.Available)
        {
            throw new AudioRenderException(StatusCodes.Status503ServiceUnavailable, "Audio preview unavailable.", status.Message);
        }
        DirectoryInfo work = Directory.CreateTempSubdirectory("rnnrbm-audio-");
        try
        {
            string input = Path.Combine(work.FullName, "in.mid");
            string wav = Path.Combine(work.FullName, "out.wav");
            await File.WriteAllBytesAsync(input, midi, cancellationToken);

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_options.Timeout);
            long maxWavBytes = 44L + ((long)_options.MaxAudioSeconds * WavBytesPerSecond);

            ProcessResult synth = await RunAsync(Executable.Resolve(_options.FluidSynthPath)!,
                ["-ni", "-q", "-r", "44100", "-F", wav, _options.SoundFont, input],
                watch: wav, maxBytes: maxWavBytes, deadline.Token, cancellationToken);
            if (synth.TooLong)
            {
                throw new AudioRenderException(StatusCodes.Status413PayloadTooLarge, "The piece is too long to preview.",
                    $"Audio previews stop at {_options.MaxAudioSeconds} s; download the MIDI file to hear all of it.");
            }
            if (synth.ExitCode != 0 || !File.Exists(wav) || new FileInfo(wav).Length <= 44)
            {
                log.LogWarning("fluidsynth exited with {Code}: {Error}", synth.ExitCode, synth.Error);
                throw new AudioRenderException(StatusCodes.Status422UnprocessableEntity, "The MIDI file could not be rendered.",
                    "FluidSynth could not read this MIDI file or it holds no sound. Check that it is a Standard MIDI File with notes.");
            }

            if (status.Format == "ogg")
            {
                string ogg = Path.Combine(work.FullName, "out.ogg");
                ProcessResult encode = await RunAsync(Executable.Resolve(_options.OpusEncPath)!,
                    ["--quiet", "--bitrate", _options.OpusBitrate.ToString(System.Globalization.CultureInfo.InvariantCulture), wav, ogg],
                    watch: null, maxBytes: 0, deadline.Token, cancellationToken);
                if (encode.ExitCode == 0 && File.Exists(ogg))
                {
                    return new RenderedAudio(await File.ReadAllBytesAsync(ogg, cancellationToken), "audio/ogg", "ogg");
                }
                // The WAV is still a good answer: the page plays either.
                log.LogWarning("opusenc exited with {Code}: {Error}; answering WAV", encode.ExitCode, encode.Error);
            }
            return new RenderedAudio(await File.ReadAllBytesAsync(wav, cancellationToken), "audio/wav", "wav");
        }
        finally
        {
            try
            {
                work.Delete(recursive: true);
            }
            catch (IOException ex)
            {
                log.LogWarning(ex, "Could not delete the audio temp folder {Folder}", work.FullName);
            }
        }
    }

    private sealed record ProcessResult(int ExitCode, string Error, bool TooLong);

    /// <summary>
    /// Runs a program without a shell (arguments passed one by one), killing it (and its children) when the deadline
    /// passes or, when <paramref name="watch"/> is given, when that file grows beyond <paramref name="maxBytes"/>.
    /// </summary>
    private async Task<ProcessResult> RunAsync(string program, IReadOnlyList<string> arguments, string? watch, long maxBytes,
        CancellationToken deadline, CancellationToken requestAborted)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        process.StandardInput.Close(); // fluidsynth's shell would wait for commands otherwise
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        Task<string> stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        bool tooLong = false;
        try
        {
            Task exited = process.WaitForExitAsync(deadline);
            while (!exited.IsCompleted)
            {
                await Task.WhenAny(exited, Task.Delay(100, deadline));
                if (watch is not null && File.Exists(watch) && new FileInfo(watch).Length > maxBytes)
                {
                    tooLong = true;
                    Kill(process);
                    break;
                }
            }
            if (tooLong)
            {
                await process.WaitForExitAsync(CancellationToken.None);
            }
            else
            {
                await exited; // throws when the deadline passed
            }
        }
        catch (OperationCanceledException)
        {
            Kill(process);
            await process.WaitForExitAsync(CancellationToken.None);
            if (requestAborted.IsCancellationRequested)
            {
                throw;
            }
            throw new AudioRenderException(StatusCodes.Status504GatewayTimeout, "Rendering took too long.",
                $"Rendering the audio was stopped after {_options.Timeout.TotalSeconds:0} s; try a shorter piece or download the MIDI file.");
        }
        await stdout;
        return new ProcessResult(process.ExitCode, Truncate(await stderr), tooLong);
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended on its own meanwhile.
        }
    }

    private static string Truncate(string text) => text.Length <= 500 ? text : text[..500];
}

/// <summary>Finds an executable the way a shell would: an absolute or relative path as given, else along PATH.</summary>
internal static class Executable
{
    public static string? Resolve(string name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return null;
        }
        if (name.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return File.Exists(name) ? Path.GetFullPath(name) : null;
        }
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
