namespace OpenDesign.Workflows.Cli;

/// <summary>
/// A failure that ends the command with a known exit code and a one-line message for stderr.
/// Thrown from anywhere below a command handler; the handler wrapper prints it once.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException(int exitCode, string message, byte[]? problemBody = null)
        : base(message)
    {
        ExitCode = exitCode;
        ProblemBody = problemBody;
    }

    public int ExitCode { get; }

    /// <summary>The service's problem+json, echoed on stdout with <c>--json</c> so programs get <c>code</c> and <c>details</c>.</summary>
    public byte[]? ProblemBody { get; }

    public static CliException Usage(string message) => new(ExitCodes.Usage, message);
}
