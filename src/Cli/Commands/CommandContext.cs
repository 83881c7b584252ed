using System.CommandLine;
using System.Text;
using OpenDesign.Workflows.Cli.Http;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>What a command handler works with: its parsed values, its output streams and, on demand, the service.</summary>
internal sealed class CommandContext(ParseResult parseResult) : IDisposable
{
    private ServiceClient? service;

    public ParseResult Parse { get; } = parseResult;

    public bool Json { get; } = parseResult.GetValue(CommonOptions.Json);

    public TextWriter Out { get; } = parseResult.InvocationConfiguration.Output;

    public TextWriter Error { get; } = parseResult.InvocationConfiguration.Error;

    public Credentials Credentials { get; } = Cli.Credentials.FromEnvironment();

    /// <summary>Created on first use, so commands that stop before talking to the service pay nothing for it.</summary>
    public ServiceClient Service => service ??= new ServiceClient(
        Cli.DaemonUrl.Resolve(Parse.GetValue(CommonOptions.DaemonUrl), Environment.GetEnvironmentVariable(Cli.DaemonUrl.EnvironmentVariable)),
        Credentials);

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);

    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    /// <summary>The service's exact bytes, for programs: nothing re-serialised, nothing dropped.</summary>
    public void WriteJson(byte[] utf8Json) => Out.WriteLine(Encoding.UTF8.GetString(utf8Json).TrimEnd());

    /// <summary>The service's bytes with <c>--json</c>, else the human view of the typed value.</summary>
    public void Print<T>(ServiceResult<T> result, Action<TextWriter, T> human)
    {
        if (Json)
        {
            WriteJson(result.Body);
        }
        else
        {
            human(Out, result.Value);
        }
    }

    public void Note(string message) => Error.WriteLine($"od: {message}");

    public void Report(CliException failure)
    {
        Error.WriteLine($"od: {failure.Message}");
        if (Json && failure.ProblemBody is { } body)
        {
            WriteJson(body);
        }
    }

    public void Dispose() => service?.Dispose();
}
