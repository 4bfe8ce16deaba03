using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using RnnRbm.Api.Hosting;
using RnnRbm.Api.Storage;
using RnnRbm.Api.Training;

namespace RnnRbm.Api.Progress;

/// <summary>
/// The progress hub at <c>/hubs/progress</c>. A client calls <c>Subscribe(trainingId)</c>, gets the training back at
/// once, exactly as GET /api/trainings/{id} returns it (<see cref="TrainingResponse"/>, built by the same code), and
/// then receives a <c>progress</c> message of that shape whenever the training's row changes, until it calls
/// <c>Unsubscribe</c> or disconnects.
/// </summary>
/// <remarks>Reads are open, like the GET endpoints: progress holds nothing the API would not show.</remarks>
public sealed class ProgressHub(RnnRbmDbContext db, ProgressSubscriptions subscriptions, IOptions<RnnRbmOptions> options) : Hub
{
    public const string Path = "/hubs/progress";
    public const string ProgressMessage = "progress";

    internal static string Group(Guid trainingId) => $"training:{trainingId:N}";

    /// <summary>Follows one training; returns its progress now, or null when no training has that id.</summary>
    public async Task<TrainingResponse?> Subscribe(Guid trainingId)
    {
        TrainingEntity? training = await db.Trainings.AsNoTracking().Where(t => t.Id == trainingId)
            .Select(TrainingsApi.WithoutCheckpoint).FirstOrDefaultAsync(Context.ConnectionAborted);
        if (training is null)
        {
            return null;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, Group(trainingId), Context.ConnectionAborted);
        subscriptions.Add(Context.ConnectionId, trainingId);
        return TrainingsApi.ToResponse(training, DateTimeOffset.UtcNow, options.Value.StalledAfter);
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
