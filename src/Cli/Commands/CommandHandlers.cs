using System.CommandLine;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>Wires a handler to a command so every command fails the same way: one stderr line and its exit code.</summary>
internal static class CommandHandlers
{
    public static Command WithHandler(this Command command, Func<CommandContext, CancellationToken, Task<int>> handler)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            using var context = new CommandContext(parseResult);
            try
            {
                return await handler(context, cancellationToken);
            }
            catch (CliException failure)
            {
                context.Report(failure);
                return failure.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Interrupted;
            }
        });
        return command;
    }

    public static Command With(this Command command, params Symbol[] symbols)
    {
        foreach (var symbol in symbols)
        {
            switch (symbol)
            {
                case Option option:
                    command.Options.Add(option);
                    break;
                case Argument argument:
                    command.Arguments.Add(argument);
                    break;
                case Command subcommand:
                    command.Subcommands.Add(subcommand);
                    break;
                default:
                    throw new ArgumentException($"unsupported symbol {symbol.GetType().Name}", nameof(symbols));
            }
        }

        return command;
    }

    public static Argument<string> IdArgument(string name, string description) => new(name) { Description = description };
}
