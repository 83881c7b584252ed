using System.CommandLine;
using System.Text;
using System.Text.Json;
using OpenDesign.Workflows.Cli.Http;
using OpenDesign.Workflows.Cli.Output;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Cli.Commands;

/// <summary>
/// <c>od media generate</c>: an agent's only route to media, with Open Design's flags.
/// </summary>
/// <remarks>
/// With <c>OD_TOOL_TOKEN</c> set it posts once to the run's tool endpoint and never elsewhere, whatever the answer:
/// no retry, no other route. Without a token it posts to the legacy project route of <c>--project</c> (or
/// <c>OD_PROJECT_ID</c>). The run's policy, not od, decides what happens: in enabled mode a media task starts and od
/// follows it to its end or to the wait budget; in request-only and external mode a media request is printed.
/// </remarks>
internal static class MediaGenerateCommand
{
    public const string ProjectVariable = "OD_PROJECT_ID";

    public const string NoRunMessage =
        "outside a run, 'od media generate' needs --project <id> (or OD_PROJECT_ID); " +
        "inside a run, set OD_TOOL_TOKEN to the run's tool token (no request was made)";

    public static Command Create()
    {
        var project = new Option<string>("--project") { Description = "Project id outside a run (else OD_PROJECT_ID); ignored inside a run, where the project comes from the tool token", HelpName = "id" };
        var surface = new Option<string>("--surface") { Description = "image, video or audio", HelpName = "surface", Required = true };
        var model = new Option<string>("--model") { Description = "Model id", HelpName = "id" };
        var prompt = new Option<string>("--prompt") { Description = "What to make", HelpName = "text" };
        var promptFile = new Option<string>("--prompt-file") { Description = "Read the prompt from a file, or from stdin with -", HelpName = "path|-" };
        var output = new Option<string>("--output") { Description = "File name for the result in the project, e.g. poster.png", HelpName = "name" };
        var aspect = new Option<string>("--aspect") { Description = "Aspect ratio: 1:1, 16:9, 9:16, 4:3, 3:4", HelpName = "ratio" };
        var length = new Option<double?>("--length") { Description = "Video length in seconds", HelpName = "seconds" };
        var duration = new Option<double?>("--duration") { Description = "Audio duration in seconds", HelpName = "seconds" };
        var promptInfluence = new Option<double?>("--prompt-influence") { Description = "Prompt influence 0..1 (accepted for Open Design compatibility; not sent yet)", HelpName = "n" };
        var voice = new Option<string>("--voice") { Description = "Voice id for speech", HelpName = "id" };
        var audioKind = new Option<string>("--audio-kind") { Description = "music, speech or sfx", HelpName = "kind" };
        var compositionDir = new Option<string>("--composition-dir") { Description = "Composition folder (accepted for Open Design compatibility; not sent yet)", HelpName = "dir" };
        var image = new Option<string>("--image") { Description = "Project-relative reference image; sent as input ref project-file:<path>", HelpName = "path" };
        var language = new Option<string>("--language") { Description = "Language of speech", HelpName = "code" };
        var loop = new Option<bool>("--loop") { Description = "Loop the audio (accepted for Open Design compatibility; not sent yet)" };
        var inputRefs = new Option<string[]>("--input-ref")
        {
            Description = $"Reference input as kind:ref, kind one of {string.Join(", ", InputRefKinds.All)}; repeatable",
            HelpName = "kind:ref",
        };

        var command = new Command("generate", "Ask for media: inside a run (OD_TOOL_TOKEN) under its policy, else for --project; in enabled mode wait for the task")
            .With(project, surface, model, prompt, promptFile, output, aspect, length, duration, promptInfluence, voice, audioKind, compositionDir, image, language, loop, inputRefs);

        return command.WithHandler(async (context, cancellationToken) =>
        {
            // Chosen once: inside a run only the tool route, never the project route, whatever the answer.
            var route = ApiRoutes.Tools.MediaGenerate;
            if (!context.Credentials.InRun)
            {
                var projectId = context.Get(project) ?? Environment.GetEnvironmentVariable(ProjectVariable);
                if (string.IsNullOrWhiteSpace(projectId))
                {
                    context.Note(NoRunMessage);
                    return ExitCodes.Usage;
                }
                route = ApiRoutes.Projects.MediaGeneratePath(projectId.Trim());
            }

            var refs = ParseInputRefs(context.Get(inputRefs) ?? []);
            if (context.Get(image) is { } imagePath)
            {
                refs.Add(new InputRef(InputRefKinds.ProjectFile, imagePath));
            }

            // Open Design flags this service's media request has no field for yet: say so instead of dropping them silently.
            NoteUnsent(context, promptInfluence.Name, context.Parse.GetResult(promptInfluence) is not null);
            NoteUnsent(context, compositionDir.Name, context.Get(compositionDir) is not null);
            NoteUnsent(context, loop.Name, context.Get(loop));

            var request = new MediaGenerateRequest(
                Surface: context.Get(surface)!,
                Prompt: ReadPrompt(context.Get(prompt), context.Get(promptFile)),
                Model: context.Get(model),
                Output: context.Get(output),
                Aspect: context.Get(aspect),
                Length: context.Get(length),
                Duration: context.Get(duration),
                AudioKind: context.Get(audioKind),
                Voice: context.Get(voice),
                Language: context.Get(language),
                InputRefs: refs.Count > 0 ? refs : null);

            var result = await context.Service.SendAsync(
                HttpMethod.Post,
                route,
                ServiceClient.JsonBody(request, OdJsonContext.Default.MediaGenerateRequest),
                OdJsonContext.Default.JsonElement,
                cancellationToken,
                serverErrorExitCode: ExitCodes.MediaFailed);

            // Enabled mode answers with a task to follow; the other modes with the stored media request.
            if (result.Value.ValueKind == JsonValueKind.Object && result.Value.TryGetProperty("taskId", out _))
            {
                var task = ServiceFailures.Parse(result.Body, OdJsonContext.Default.MediaTaskAccepted, 202);
                context.Error.WriteLine($"task {task.TaskId} queued ({task.Status})");
                return await MediaTaskWaiting.FollowAsync(context, task.TaskId, 0, MediaTaskWaiting.DefaultBudget, cancellationToken) switch
                {
                    MediaTaskWaiting.Outcome.Failed => ExitCodes.MediaFailed,
                    // Done, or handed over still running: Open Design counts the handoff as success.
                    _ => ExitCodes.Ok,
                };
            }
            var media = ServiceFailures.Parse(result.Body, OdJsonContext.Default.MediaRequest, 202);
            context.Print(new ServiceResult<MediaRequest>(media, result.Body), (w, r) => w.WriteLine(Views.MediaRequestLine(r)));
            return ExitCodes.Ok;
        });
    }

    private static string ReadPrompt(string? prompt, string? promptFile)
    {
        if (prompt is not null && promptFile is not null)
        {
            throw CliException.Usage("give either --prompt or --prompt-file, not both");
        }

        if (prompt is not null)
        {
            return prompt;
        }

        if (promptFile is null)
        {
            throw CliException.Usage("a prompt is required: --prompt <text> or --prompt-file <path|->");
        }

        try
        {
            var text = promptFile == "-"
                ? new StreamReader(Console.OpenStandardInput(), Encoding.UTF8).ReadToEnd()
                : File.ReadAllText(promptFile, Encoding.UTF8);

            // Files and heredocs end with a newline that is not part of the prompt.
            return text.TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CliException.Usage($"cannot read --prompt-file '{promptFile}': {e.Message}");
        }
    }

    private static List<InputRef> ParseInputRefs(string[] values)
    {
        var refs = new List<InputRef>(values.Length);
        foreach (var value in values)
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            var kind = colon > 0 ? value[..colon] : "";
            var reference = colon > 0 ? value[(colon + 1)..] : "";
            if (!InputRefKinds.All.Contains(kind) || reference.Length == 0)
            {
                throw CliException.Usage($"--input-ref must be kind:ref with kind one of {string.Join(", ", InputRefKinds.All)}, got '{value}'");
            }

            refs.Add(new InputRef(kind, reference));
        }

        return refs;
    }

    private static void NoteUnsent(CommandContext context, string flag, bool given)
    {
        if (given)
        {
            context.Note($"{flag} is not part of this service's media request yet and was not sent");
        }
    }
}
