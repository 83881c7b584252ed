using System.CommandLine;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>Options every command accepts; declared once on the root and inherited (recursive).</summary>
internal static class CommonOptions
{
    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print the service's JSON on stdout (one document, or one line per event) instead of text for people",
        Recursive = true,
    };

    public static readonly Option<string> DaemonUrl = new("--daemon-url")
    {
        Description = $"Service URL [default: ${Cli.DaemonUrl.EnvironmentVariable}, else {Cli.DaemonUrl.Default}]",
        HelpName = "url",
        Recursive = true,
    };
}
