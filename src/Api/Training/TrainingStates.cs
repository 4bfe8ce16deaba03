using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Training;

/// <summary>The states of a training (TrainingEntity.State): those of all leased work (<see cref="WorkStates"/>).</summary>
public static class TrainingStates
{
    /// <summary>Waiting for a worker: new, or released at a shutdown and waiting to resume from its checkpoint.</summary>
    public const string Queued = WorkStates.Queued;
    public const string Running = WorkStates.Running;
    public const string Succeeded = WorkStates.Succeeded;
    public const string Failed = WorkStates.Failed;
    public const string Cancelled = WorkStates.Cancelled;

    public static bool IsFinished(string state) => WorkStates.IsFinished(state);
}
