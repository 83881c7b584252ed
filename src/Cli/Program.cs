using System.CommandLine;
using OpenDesign.Workflows.Cli;
using OpenDesign.Workflows.Cli.Commands;

// No host, no DI container: an agent may call od many times per run, so start-up is kept to parsing
// the command line and one HTTP client (see docs/cli.md, "Start-up cost").
var root = CommandTree.Build();
var parseResult = root.Parse(args, CommandTree.ParserConfiguration);
if (UsageErrors.Present(parseResult))
{
    return UsageErrors.Report(parseResult, Console.Error);
}

try
{
    return await parseResult.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
}
catch (Exception e)
{
    // Only bugs reach here: every expected failure is a CliException handled by its command.
    await Console.Error.WriteLineAsync($"od: internal error: {e}");
    return ExitCodes.Internal;
}
