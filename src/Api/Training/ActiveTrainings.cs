using RnnRbm.Api.Hosting;

namespace RnnRbm.Api.Training;

/// <summary>The trainings this process is running now (see <see cref="ActiveRuns"/>).</summary>
public sealed class ActiveTrainings : ActiveRuns;
