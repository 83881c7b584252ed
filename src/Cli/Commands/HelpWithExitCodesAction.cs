using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>The standard help page followed by the exit codes and environment variables, which agents need to read where they look.</summary>
internal sealed class HelpWithExitCodesAction(HelpAction standard) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        standard.Invoke(parseResult);
        parseResult.InvocationConfiguration.Output.WriteLine(ExitCodes.HelpText);
        return ExitCodes.Ok;
    }
}
