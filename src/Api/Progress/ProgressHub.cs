using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using RnnRbm.Api.Storage;

namespace RnnRbm.Api.Progress;

/// <summary>
/// The progress hub at <c>/hubs/progress</c>. A client calls <c>Subscribe(trainingId)</c>, gets the current
/// <see cref="ProgressUpdate"/> back at once, and then receives a <c>progress</c> message with the same shape
/// whenever the training's row changes, until it calls <c>Unsubscribe</c> or disconnects.
/// </summary>
/// <remarks>Reads are open, like the GET endpoints: progress holds nothing the API would not show.</remarks>
public sealed class ProgressHub(RnnRbmDbContext db, ProgressSubscriptions subscriptions) : Hub
{
    public const string Path = "/hubs/progress";
    public const string ProgressMessage = "progress";

    internal static string Group(Guid trainingId) => $"training:{trainingId:N}";

    /// <summary>Follows one training; returns its progress now, or null when no training has that id.</summary>
    public async Task<ProgressUpdate?> Subscribe(Guid trainingId)
    {
        TrainingRow? row = await TrainingRow.Select(db.Trainings.AsNoTracking().Where(t => t.Id == trainingId))
            .FirstOrDefaultAsync(Context.ConnectionAborted);
        if (row is null)
        {
            return null;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(trainingId), Context.ConnectionAborted);
        subscriptions.Add(Context.ConnectionId, trainingId);
        return row.ToUpdate(subscriptions.SpeedOf(trainingId));
    }

    /// <summary>Stops following a training.</summary>
    public async Task Unsubscribe(Guid trainingId)
    {
        subscriptions.Remove(Context.ConnectionId, trainingId);
        await Groups.RemoveFromGroupAsync(Context.ConnectionId, Group(trainingId), Context.ConnectionAborted);
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        subscriptions.RemoveConnection(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
