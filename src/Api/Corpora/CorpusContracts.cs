namespace RnnRbm.Api.Corpora;

// The Corpora API's JSON (camelCase through ASP.NET's web defaults). These names are the contract:
// rename nothing without a new version. Core types (MidiFileStats, PianoRoll) are never serialised directly.

/// <summary>A corpus in the list: what it is and how big, without its files.</summary>
/// <param name="Id">The corpus id.</param>
/// <param name="Name">The name given at upload.</param>
/// <param name="CreatedUtc">When it was uploaded.</param>
/// <param name="SplitSource">"archive" (a zip's train/valid/test folders set the split), "seeded" (a seeded shuffle did), or "mixed".</param>
/// <param name="FileCounts">Accepted files per split, and rejected files.</param>
/// <param name="Steps">Time steps of the accepted files on the statistics grid, per split and in total.</param>
public sealed record CorpusSummary(
    Guid Id,
    string Name,
    DateTimeOffset CreatedUtc,
    string SplitSource,
    CorpusFileCounts FileCounts,
    CorpusSteps Steps);

/// <summary>A corpus with its files and the statistics computed once at upload.</summary>
/// <param name="Id">The corpus id.</param>
/// <param name="Name">The name given at upload.</param>
/// <param name="CreatedUtc">When it was uploaded.</param>
/// <param name="Split">How files were assigned to train/valid/test.</param>
/// <param name="FileCounts">Accepted files per split, and rejected files.</param>
/// <param name="StatisticsGrid">The reference grid every step count and histogram here is measured on.</param>
/// <param name="Steps">Time steps of the accepted files, per split and in total.</param>
/// <param name="PitchHistogram">For each piano key (MIDI 21..108), the number of steps at which it sounds, over all accepted files.</param>
/// <param name="Polyphony">Notes sounding per step, over all accepted files.</param>
/// <param name="Tempos">Tempi seen (set-tempo events), with how many accepted files use each.</param>
/// <param name="TimeSignatures">Time signatures seen, with how many accepted files use each.</param>
/// <param name="Files">Every uploaded file (zip entries one by one): accepted with its split and stats, or rejected with the reason.</param>
/// <param name="PlayedPitches">The keys the accepted files play, and the pitch range a training on this corpus is offered; null without notes.</param>
/// <param name="SameFilesAs">In an upload's answer: the corpora already held with some of the same accepted files (the upload is kept all the same; delete one to keep the other).</param>
public sealed record CorpusDetails(
    Guid Id,
    string Name,
    DateTimeOffset CreatedUtc,
    CorpusSplit Split,
    CorpusFileCounts FileCounts,
    StatisticsGrid StatisticsGrid,
    CorpusSteps Steps,
    IReadOnlyList<PitchCount> PitchHistogram,
    PolyphonyStats Polyphony,
    IReadOnlyList<TempoCount> Tempos,
    IReadOnlyList<TimeSignatureCount> TimeSignatures,
    IReadOnlyList<CorpusFile> Files,
    CorpusPitchRange? PlayedPitches = null,
    IReadOnlyList<SameCorpus>? SameFilesAs = null);

/// <summary>In an upload's answer: a corpus the service already held with some or all of the same files (same SHA-256).</summary>
/// <param name="Id">The existing corpus.</param>
/// <param name="Name">Its name.</param>
/// <param name="SameFiles">How many of this upload's accepted files it holds too.</param>
/// <param name="Files">Its own accepted files.</param>
/// <param name="Identical">It holds exactly the files this upload accepted, no more, no fewer.</param>
public sealed record SameCorpus(Guid Id, string Name, int SameFiles, int Files, bool Identical);

/// <summary>The keys a corpus plays (over its accepted files, at the statistics grid), and the range offered to train on.</summary>
/// <param name="Lowest">Lowest MIDI note that sounds.</param>
/// <param name="Highest">Highest MIDI note that sounds.</param>
/// <param name="LowestName">The lowest note's name (C4 is MIDI 60).</param>
/// <param name="HighestName">The highest note's name.</param>
/// <param name="SuggestedLowest">The lowestPitch a new training on this corpus is offered: the lowest played minus a margin of a few semitones.</param>
/// <param name="SuggestedHighest">The highestPitch offered: the highest played plus the same margin.</param>
public sealed record CorpusPitchRange(int Lowest, int Highest, string LowestName, string HighestName, int SuggestedLowest, int SuggestedHighest);

/// <summary>How the split was made.</summary>
/// <param name="Source">"archive", "seeded" or "mixed" (some files placed by a zip's folders, the rest seeded).</param>
/// <param name="ValidFraction">The fraction of seeded files sent to valid (null when no file was seeded).</param>
/// <param name="SplitSeed">The seed of the shuffle (null when no file was seeded).</param>
public sealed record CorpusSplit(string Source, double? ValidFraction, ulong? SplitSeed);

/// <summary>Accepted files per split, and rejected files.</summary>
public sealed record CorpusFileCounts(int Train, int Valid, int Test, int Rejected);

/// <summary>Time steps on the statistics grid.</summary>
public sealed record CorpusSteps(long Train, long Valid, long Test, long Total);

/// <summary>The reference grid of the statistics: fixed, whatever grid a training later chooses.</summary>
/// <param name="StepsPerQuarter">Steps per quarter note (2: eighth notes), tempo ignored.</param>
/// <param name="LowestPitch">Lowest MIDI note counted (21, A0).</param>
/// <param name="HighestPitch">Highest MIDI note counted (108, C8).</param>
/// <param name="Drums">Whether channel 10 is counted (no).</param>
/// <param name="Description">The same in words.</param>
public sealed record StatisticsGrid(int StepsPerQuarter, int LowestPitch, int HighestPitch, bool Drums, string Description);

/// <summary>One bar of the pitch histogram.</summary>
/// <param name="Pitch">MIDI note number.</param>
/// <param name="Name">Scientific pitch name, MIDI 60 = C4.</param>
/// <param name="NoteSteps">Steps at which this pitch sounds, summed over the accepted files.</param>
public sealed record PitchCount(int Pitch, string Name, long NoteSteps);

/// <summary>Notes sounding per step.</summary>
/// <param name="MeanNotesPerStep">Mean over all steps, silent ones included.</param>
/// <param name="MeanNotesPerSoundingStep">Mean over the steps where at least one note sounds.</param>
/// <param name="MaxNotes">Most notes at one step.</param>
/// <param name="SilentSteps">Steps where nothing sounds.</param>
public sealed record PolyphonyStats(double MeanNotesPerStep, double MeanNotesPerSoundingStep, int MaxNotes, long SilentSteps);

/// <summary>A tempo seen in the corpus.</summary>
/// <param name="Bpm">Quarter notes per minute.</param>
/// <param name="Files">Accepted files that use it.</param>
public sealed record TempoCount(double Bpm, int Files);

/// <summary>A time signature seen in the corpus.</summary>
/// <param name="Signature">Such as "3/4".</param>
/// <param name="Files">Accepted files that use it.</param>
public sealed record TimeSignatureCount(string Signature, int Files);

/// <summary>One uploaded file (or zip entry).</summary>
/// <param name="Id">The file's id.</param>
/// <param name="FileName">A display name (the client's name, sanitised; zip entries as <c>archive.zip/path/in/zip.mid</c>). Never used as a path.</param>
/// <param name="Split">"train", "valid" or "test"; null when rejected.</param>
/// <param name="Accepted">Whether the file is part of the corpus.</param>
/// <param name="Reason">Why it was rejected; null when accepted.</param>
/// <param name="Stats">What it holds, on the statistics grid; null when rejected.</param>
public sealed record CorpusFile(Guid Id, string FileName, string? Split, bool Accepted, string? Reason, CorpusFileStats? Stats);

/// <summary>What one accepted MIDI file holds, read on the statistics grid.</summary>
/// <param name="Format">SMF format, 0 or 1.</param>
/// <param name="Tracks">Number of tracks.</param>
/// <param name="TicksPerQuarter">The file's time division.</param>
/// <param name="Steps">Length in steps of the statistics grid.</param>
/// <param name="Notes">Notes inside the piano range.</param>
/// <param name="NotesOutsideRange">Notes outside the piano range, not counted elsewhere.</param>
/// <param name="UnclosedNotes">Note-ons never closed, dropped.</param>
/// <param name="DrumNotesSkipped">Channel-10 notes, left out.</param>
/// <param name="NoteSteps">Sounding (step, pitch) cells.</param>
/// <param name="SilentSteps">Steps where nothing sounds.</param>
/// <param name="MaxPolyphony">Most notes at one step.</param>
/// <param name="Tempos">Distinct tempi (bpm) in order of appearance.</param>
/// <param name="TimeSignatures">Distinct time signatures in order of appearance.</param>
/// <param name="Channels">MIDI channels (1-16) with notes.</param>
/// <param name="DurationSeconds">Length through the file's tempo map.</param>
public sealed record CorpusFileStats(
    int Format,
    int Tracks,
    int TicksPerQuarter,
    int Steps,
    int Notes,
    int NotesOutsideRange,
    int UnclosedNotes,
    int DrumNotesSkipped,
    long NoteSteps,
    int SilentSteps,
    int MaxPolyphony,
    IReadOnlyList<double> Tempos,
    IReadOnlyList<string> TimeSignatures,
    IReadOnlyList<int> Channels,
    double DurationSeconds);

/// <summary>An accepted corpus file as a piano-roll (GET /api/corpora/{id}/files/{fileId}/roll).</summary>
/// <param name="CorpusId">The corpus.</param>
/// <param name="FileId">The file.</param>
/// <param name="FileName">The file's display name.</param>
/// <param name="Steps">Rows of <paramref name="Notes"/>.</param>
/// <param name="TimeGrid">How long a step is: seconds, so step t starts t × seconds into the file and its audio.</param>
/// <param name="PitchRange">The pitches read (the 88 piano keys).</param>
/// <param name="NoteSteps">Sounding (step, pitch) cells in <paramref name="Notes"/>.</param>
/// <param name="DurationSeconds">The file's length through its tempo map.</param>
/// <param name="Notes">One list per step of the MIDI pitches sounding at it, ascending (empty list: silence).</param>
public sealed record CorpusFileRoll(
    Guid CorpusId,
    Guid FileId,
    string FileName,
    int Steps,
    Generation.TimeGridJson TimeGrid,
    Generation.PitchRangeJson PitchRange,
    int NoteSteps,
    double DurationSeconds,
    IReadOnlyList<IReadOnlyList<int>> Notes);
