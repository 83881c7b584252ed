using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenDesign.Workflows.Domain.Events;
using OpenDesign.Workflows.Domain.Files;
using OpenDesign.Workflows.Domain.MediaRequests;
using OpenDesign.Workflows.Domain.MediaTasks;
using OpenDesign.Workflows.Domain.Projects;
using OpenDesign.Workflows.Domain.Runs;
using OpenDesign.Workflows.Domain.Storage;
using OpenDesign.Workflows.Domain.Tokens;
using OpenDesign.Workflows.Domain.Validation;
using OpenDesign.Workflows.Contracts;

namespace OpenDesign.Workflows.Domain;

public static class DomainServices
{
    /// <summary>
    /// Every domain service over one data root, as the service and the tests build them. The caller supplies an
    /// <see cref="IExternalMediaDispatcher"/> (the API registers Temporal's) and an
    /// <see cref="IResultDownloader"/> (Activities' <c>AddResultDownloads</c>) and may replace the <see cref="TimeProvider"/>.
    /// </summary>
    public static IServiceCollection AddOpenDesignDomain(this IServiceCollection services, OdOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<Database>();
        services.AddSingleton<EventHub>();
        services.AddSingleton<SqliteWriter>();
        services.AddSingleton<EventStore>();
        services.AddSingleton<ProjectStore>();
        services.AddSingleton<RunStore>();
        services.AddSingleton<ToolTokens>();
        services.AddSingleton<CallbackKey>();
        services.AddSingleton<CallbackTokens>();
        services.AddSingleton<MediaRequestStore>();
        services.AddSingleton<MediaRequestTransitions>();
        services.AddSingleton<RunEndSignals>();
        services.AddSingleton<RunService>();
        services.AddSingleton<RunAgents>();
        services.AddSingleton<RunOutcomeWaiter>();
        services.AddSingleton<RunEnding>();
        services.AddSingleton<WorkflowStarts>();
        services.AddSingleton<MediaTaskStore>();
        services.AddSingleton<MediaTaskSignals>();
        services.AddSingleton<MediaTaskTransitions>();
        services.AddSingleton<MediaTaskWaiter>();
        services.AddSingleton<MediaTaskService>();
        // Replaced by the Api's Temporal dispatcher; without one, enabled generation is refused as unavailable.
        services.TryAddSingleton<IMediaTaskDispatcher, NoMediaTaskDispatcher>();
        services.AddSingleton<MediaGenerationService>();
        services.AddSingleton<MediaRequestCommands>();
        services.AddSingleton<FulfillmentService>();
        services.AddHostedService<StagingSweeper>();
        services.AddBodyValidators();
        return services;
    }

    /// <summary>One validator per request body record (<see cref="IBodyValidator{T}"/>): the Api binds every body through these.</summary>
    private static IServiceCollection AddBodyValidators(this IServiceCollection services)
    {
        services.AddSingleton<IBodyValidator<CreateProjectRequest>, CreateProjectValidator>();
        services.AddSingleton<IBodyValidator<CreateRunRequest>, CreateRunValidator>();
        services.AddSingleton<IBodyValidator<FinishRunRequest>, FinishRunValidator>();
        services.AddSingleton<IBodyValidator<MediaGenerateRequest>>(MediaGenerateParser.Instance);
        services.AddSingleton<IBodyValidator<FailMediaRequestRequest>, FailMediaRequestValidator>();
        services.AddSingleton<IBodyValidator<MediaRequestProgress>, MediaRequestProgressValidator>();
        services.AddSingleton<IBodyValidator<FulfillFromFileRequest>, FulfillFromFileValidator>();
        services.AddSingleton<IBodyValidator<MediaTaskWaitRequest>, MediaTaskWaitValidator>();
        return services;
    }
}
