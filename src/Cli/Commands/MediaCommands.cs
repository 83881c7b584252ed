using System.CommandLine;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary><c>od media generate</c>, <c>od media wait</c> and <c>od media requests ...</c>.</summary>
internal static class MediaCommands
{
    public const string Name = "media";
    public const string Description = "Generate media and wait for media tasks (agents), and list, fulfil, fail or cancel media requests (operators)";

    public static void Populate(Command group) => group.With(MediaGenerateCommand.Create(), MediaWaitCommand.Create(), MediaRequestCommands.Create());
}
