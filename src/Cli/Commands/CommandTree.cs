using System.CommandLine;
using System.CommandLine.Help;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>The <c>od</c> command tree: <c>media</c>, <c>runs</c>, <c>projects</c>.</summary>
/// <remarks>
/// The whole tree is built on every start. Building only the group named on the command line was measured
/// (NativeAOT and JIT, <c>od media generate</c> under hyperfine) and made no difference within noise, so the
/// simpler, complete tree wins: help and typo suggestions always see every command.
/// </remarks>
internal static class CommandTree
{
    /// <summary>
    /// Response files are off: with them on, <c>--media-policy @policy.json</c> would be expanded into arguments
    /// by the parser before od could read it as a file.
    /// </summary>
    public static ParserConfiguration ParserConfiguration { get; } = new() { ResponseFileTokenReplacer = null };

    public static RootCommand Build()
    {
        var root = new RootCommand("od: the Open Design Workflows command line. Agents use 'od media generate' inside a run; operators manage projects, runs and media requests.");
        root.With(CommonOptions.Json, CommonOptions.DaemonUrl);
        root.With(
            Group(MediaCommands.Name, MediaCommands.Description, MediaCommands.Populate),
            Group(RunCommands.Name, RunCommands.Description, RunCommands.Populate),
            Group(ProjectCommands.Name, ProjectCommands.Description, ProjectCommands.Populate));

        var help = root.Options.OfType<HelpOption>().Single();
        help.Action = new HelpWithExitCodesAction((HelpAction)help.Action!);
        return root;
    }

    private static Command Group(string name, string description, Action<Command> populate)
    {
        var group = new Command(name, description);
        populate(group);
        return group;
    }
}
