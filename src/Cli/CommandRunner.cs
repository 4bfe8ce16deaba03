using RnnRbm.Core.Midi;
using RnnRbm.Core.Model;

namespace RnnRbm.Cli;

/// <summary>Runs a command body and turns the errors a user can cause into one readable line and exit code 1.</summary>
internal static class CommandRunner
{
    public static int Run(bool json, Action<Output> body)
    {
        try
        {
            body(new Output(json));
            return 0;
        }
        catch (Exception ex) when (ex is UsageException or InvalidMidiException or InvalidModelFileException
            or FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException or InvalidDataException)
        {
            Output.Error(ex.Message);
            return 1;
        }
        catch (IOException ex)
        {
            Output.Error(ex.Message);
            return 1;
        }
    }
}
