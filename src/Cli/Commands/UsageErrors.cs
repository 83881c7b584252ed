using System.CommandLine;
using System.CommandLine.Parsing;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>
/// Parse errors exit with 2, not System.CommandLine's default 1, and print one short hint instead of the whole help page
/// (an agent reading stderr needs the error, not forty lines of options).
/// </summary>
internal static class UsageErrors
{
    public static bool Present(ParseResult parseResult) =>
        parseResult.Errors.Count > 0 && parseResult.Action is not HelpWithExitCodesAction;

    public static int Report(ParseResult parseResult, TextWriter error)
    {
        foreach (var parseError in parseResult.Errors)
        {
            error.WriteLine($"od: {parseError.Message}");
        }

        error.WriteLine($"Try '{CommandPath(parseResult.CommandResult)} --help'.");
        return ExitCodes.Usage;
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new Stack<string>();
        for (SymbolResult? current = result; current is not null; current = current.Parent)
        {
            if (current is CommandResult command)
            {
                names.Push(command.Parent is null ? "od" : command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
