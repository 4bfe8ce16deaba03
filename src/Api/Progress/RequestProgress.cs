using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http.HttpResults;

namespace RnnRbm.Api.Progress;

/// <summary>
/// How far a long request is (issue 15: a generation of 3000 steps at k 200, a scored piece): <c>GET /api/progress/{id}</c>.
/// </summary>
/// <param name="Id">The id the client sent in <c>X-Progress-Id</c>.</param>
/// <param name="Operation">What runs: "generation" or "score".</param>
/// <param name="Fraction">Share done, in [0, 1]; it never goes back.</param>
/// <param name="ElapsedSeconds">Seconds since the work started.</param>
/// <param name="SecondsLeft">What is left at the speed of the last one to two seconds, once 2 % is done; null before (too early to be worth reading) and when finished.</param>
/// <param name="Finished">Whether the request has answered (kept a minute after, so a last poll sees it end).</param>
public sealed record RequestProgressResponse(Guid Id, string Operation, double Fraction, double ElapsedSeconds, double? SecondsLeft, bool Finished);

/// <summary>
/// The progress of requests that answer only when their work is done (generation, scoring), for a client that wants
/// to show it while it waits: the client makes up an id, sends it in the <see cref="Header"/> header with the request,
/// and polls <c>GET /api/progress/{id}</c> meanwhile.
/// </summary>
/// <remarks>
/// Held in this node's memory, as the work is: a poll must reach the node that runs the request (one node, or sticky
/// sessions). Entries go a minute after their request ends; at most <see cref="Capacity"/> are kept (the oldest
/// finished go first; beyond that a request simply runs without one).
/// </remarks>
internal sealed class RequestProgress
{
    public const string Header = "X-Progress-Id";
    public const int Capacity = 1000;

    /// <summary>Below this share done, the time left is not said (the first steps include warm-up and say little).</summary>
    public const double EstimateFrom = 0.02;

    private static readonly TimeSpan KeptAfterEnd = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<Guid, Tracker> _entries = new();
    private readonly TimeProvider _time;

    public RequestProgress(TimeProvider? time = null) => _time = time ?? TimeProvider.System;

    /// <summary>A tracker for the request's work when it carries a valid <see cref="Header"/>; null otherwise (no cost then).</summary>
    public Tracker? Start(HttpRequest request, string operation)
    {
        if (!Guid.TryParse(request.Headers[Header].ToString(), out Guid id) || id == Guid.Empty)
        {
            return null;
        }
        Sweep();
        if (_entries.Count >= Capacity)
        {
            return null;
        }
        var tracker = new Tracker(id, operation, _time);
        _entries[id] = tracker;
        return tracker;
    }

    public RequestProgressResponse? Get(Guid id) => _entries.TryGetValue(id, out Tracker? t) ? t.Snapshot() : null;

    private void Sweep()
    {
        long now = _time.GetTimestamp();
        foreach ((Guid id, Tracker t) in _entries)
        {
            if (t.EndedAt is long ended && _time.GetElapsedTime(ended, now) > KeptAfterEnd)
            {
                _entries.TryRemove(id, out _);
            }
        }
    }

    /// <summary>One request's progress; reports may come from any thread.</summary>
    /// <remarks>
    /// The time left is read from the speed of the last one to two seconds (two marks, moved on at most once a second),
    /// not from the whole run: a start slowed by a busy machine (or warm-up) would otherwise say minutes for seconds.
    /// </remarks>
    public sealed class Tracker : IDisposable
    {
        private static readonly TimeSpan MarkEvery = TimeSpan.FromSeconds(1);
        private readonly Guid _id;
        private readonly string _operation;
        private readonly TimeProvider _time;
        private readonly long _started;
        private readonly Lock _marks = new();
        private (long Time, double Fraction) _mark, _previousMark;
        private double _fraction;
        private long _ended;

        public Tracker(Guid id, string operation, TimeProvider time)
        {
            (_id, _operation, _time) = (id, operation, time);
            _started = time.GetTimestamp();
            _mark = _previousMark = (_started, 0);
        }

        public long? EndedAt => Volatile.Read(ref _ended) is var e && e != 0 ? e : null;

        /// <summary>Records <paramref name="fraction"/> done; a smaller one than already recorded is ignored (progress never goes back).</summary>
        public void Report(double fraction)
        {
            double next = Math.Clamp(fraction, 0, 1);
            double seen = Volatile.Read(ref _fraction);
            while (next > seen)
            {
                double was = Interlocked.CompareExchange(ref _fraction, next, seen);
                if (was == seen)
                {
                    break;
                }
                seen = was;
            }
            long now = _time.GetTimestamp();
            lock (_marks)
            {
                if (_time.GetElapsedTime(_mark.Time, now) >= MarkEvery)
                {
                    _previousMark = _mark;
                    _mark = (now, Volatile.Read(ref _fraction));
                }
            }
        }

        public RequestProgressResponse Snapshot()
        {
            double fraction = Volatile.Read(ref _fraction);
            long? ended = EndedAt;
            long now = ended ?? _time.GetTimestamp();
            double elapsed = _time.GetElapsedTime(_started, now).TotalSeconds;
            double? left = null;
            if (ended is null && fraction >= EstimateFrom && fraction < 1)
            {
                (long Time, double Fraction) from;
                lock (_marks)
                {
                    from = _previousMark;
                }
                double window = _time.GetElapsedTime(from.Time, now).TotalSeconds;
                double recent = window > 0 ? (fraction - from.Fraction) / window : 0;
                // The recent speed when there is one; the whole run's otherwise (no report for a while: it has stalled or slowed).
                left = recent > 0 ? (1 - fraction) / recent : elapsed * (1 - fraction) / fraction;
            }
            return new RequestProgressResponse(_id, _operation, ended is null ? fraction : 1, elapsed, left, ended is not null);
        }

        /// <summary>The request answered (or failed): the entry says finished, and goes a minute later.</summary>
        public void Dispose() => Interlocked.CompareExchange(ref _ended, Math.Max(1, _time.GetTimestamp()), 0);
    }
}

/// <summary>GET /api/progress/{id}.</summary>
internal static class RequestProgressEndpoint
{
    public static Results<Ok<RequestProgressResponse>, ProblemHttpResult> Get(Guid id, RequestProgress progress) =>
        progress.Get(id) is { } snapshot
            ? TypedResults.Ok(snapshot)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No request with this progress id.",
                detail: $"No request sent the header {RequestProgress.Header}: {id} to this server in the last minute, or it has not started yet.");
}
