using System.Globalization;
using OpenDesign.Workflows.Temporal.TestServer.Visibility;

namespace OpenDesign.Workflows.Temporal.TestServer;

// Reads the command line the SDK uses to launch a dev server, so
// WorkflowEnvironment.StartLocalAsync(new() { DevServerOptions = new() { ExistingPath = ... } })
// can start this executable exactly like the `temporal` CLI:
//   server start-dev --port N --ip 127.0.0.1 --namespace default [--search-attribute Name=Type]...
// Flags that only matter to the real CLI (--log-format, --log-level, --dynamic-config-value,
// --headless, --db-filename, --ui-port, ...) are accepted and ignored. One extra flag of our own:
// --time-skipping turns on automatic time skipping.
public static class DevServerCommandLine
{
    private static readonly HashSet<string> FlagsWithoutValue = new(StringComparer.Ordinal)
    {
        "--headless", "--time-skipping",
    };

    public static TestServerOptions Parse(IReadOnlyList<string> args)
    {
        var options = new TestServerOptions { Port = 7233 };
        var i = 0;
        // "server start-dev" (both optional so `dotnet run -- --port 7233` works too).
        while (i < args.Count && !args[i].StartsWith('-'))
        {
            i++;
        }
        for (; i < args.Count; i++)
        {
            var (flag, inlineValue) = Split(args[i]);
            string Value()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }
                if (i + 1 >= args.Count)
                {
                    throw new ArgumentException($"{flag} needs a value");
                }
                return args[++i];
            }

            switch (flag)
            {
                case "--port" or "-p":
                    options.Port = int.Parse(Value(), CultureInfo.InvariantCulture);
                    break;
                case "--ip":
                    options.Ip = Value();
                    break;
                case "--namespace" or "-n":
                    options.Namespaces.Add(Value());
                    break;
                case "--search-attribute":
                {
                    var spec = Value();
                    var eq = spec.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw new ArgumentException($"--search-attribute expects Name=Type, got '{spec}'");
                    }
                    options.SearchAttributes[spec[..eq]] = SearchAttributeRegistry.ParseType(spec[(eq + 1)..]);
                    break;
                }
                case "--time-skipping":
                    options.TimeSkipping = true;
                    break;
                default:
                    // Unknown flags are ignored; skip their value when they have one.
                    if (inlineValue is null && !FlagsWithoutValue.Contains(flag) && i + 1 < args.Count && !args[i + 1].StartsWith("--", StringComparison.Ordinal))
                    {
                        i++;
                    }
                    break;
            }
        }
        return options;
    }

    private static (string Flag, string? Value) Split(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }
}
