using System.CommandLine;

namespace OpenDesign.Workflows.Cli.Commands;

internal static class OptionExtensions
{
    /// <summary>Restricts an option to known values, so a typo is a usage error (exit 2) before any request is made.</summary>
    public static Option<string> AcceptingOnly(this Option<string> option, IEnumerable<string> values)
    {
        option.AcceptOnlyFromAmong([.. values]);
        return option;
    }
}
