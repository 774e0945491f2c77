using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow;

/// <summary>Registers tasks: <c>tf.AddTask&lt;SendWelcomeEmail&gt;("send_welcome_email", o =&gt; o.Retries(3))</c>.</summary>
public sealed partial class TaskFlowBuilder
{
    /// <summary>Wraps a service collection; the registry is shared by every builder over the same collection.</summary>
    public TaskFlowBuilder(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        Services = services;
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(TaskRegistry) && d.ImplementationInstance is not null);
        if (existing?.ImplementationInstance is TaskRegistry registry)
        {
            Registry = registry;
        }
        else
        {
            Registry = new TaskRegistry();
            services.AddSingleton(Registry);
        }
    }

    /// <summary>The services handlers are registered into.</summary>
    public IServiceCollection Services { get; }

    /// <summary>The tasks registered so far.</summary>
    public TaskRegistry Registry { get; }

    /// <summary>Registers <typeparamref name="THandler"/> under <paramref name="name"/>. The handler must implement
    /// exactly one <see cref="ITaskHandler{TArgs}"/>; it is added to DI as a scoped service.</summary>
    /// <exception cref="InvalidOperationException">The name is taken or invalid, or an option is out of range.</exception>
    public TaskFlowBuilder AddTask<THandler>(string name, Action<TaskOptionsBuilder>? configure = null) where THandler : class
    {
        ValidateName(name);
        var handlerInterfaces = typeof(THandler).GetInterfaces()
            .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ITaskHandler<>))
            .ToList();
        if (handlerInterfaces.Count != 1)
            throw new InvalidOperationException(
                $"TaskFlow: the handler {typeof(THandler).Name} of task '{name}' must implement ITaskHandler<TArgs> exactly once.");

        var optionsBuilder = new TaskOptionsBuilder();
        configure?.Invoke(optionsBuilder);
        var options = optionsBuilder.Options;
        if (options.Validate() is { } problem)
            throw new InvalidOperationException($"TaskFlow: the task '{name}' has invalid options: {problem}.");

        var argsType = handlerInterfaces[0].GetGenericArguments()[0];
        var create = typeof(TaskRegistration).GetMethod(nameof(TaskRegistration.Create),
                System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!
            .MakeGenericMethod(typeof(THandler), argsType);
        var registration = (TaskRegistration)create.Invoke(null, [name, options])!;
        Registry.Add(registration);
        Services.AddScoped<THandler>();
        return this;
    }

    /// <summary>Registers <typeparamref name="THandler"/> as the task <paramref name="name"/> and fires it every
    /// <paramref name="every"/> (occurrences aligned to multiples of the interval), once per occurrence cluster-wide.</summary>
    public TaskFlowBuilder AddSchedule<THandler>(string name, TimeSpan every, Action<ScheduleOptionsBuilder>? configure = null)
        where THandler : class
    {
        if (every < ScheduleSpecValidator.MinEvery || every > ScheduleSpecValidator.MaxEvery)
            throw new InvalidOperationException($"TaskFlow: the schedule '{name}' must run every 1 s to 366 days (was {every}).");
        return AddScheduleCore<THandler>(name, every, null, null, TimeZoneInfo.Utc, configure);
    }

    /// <summary>Registers <typeparamref name="THandler"/> as the task <paramref name="name"/> and fires it on the cron
    /// expression <paramref name="cron"/> (five fields, or six with seconds) in the IANA time zone
    /// <paramref name="timeZone"/>, once per occurrence cluster-wide.</summary>
    public TaskFlowBuilder AddSchedule<THandler>(string name, string cron, string timeZone = "UTC", Action<ScheduleOptionsBuilder>? configure = null)
        where THandler : class
    {
        var expression = ScheduleSpecValidator.ParseCron(cron) ?? throw new InvalidOperationException(
            $"TaskFlow: the schedule '{name}' has an invalid cron expression '{cron}'; use five fields, or six with seconds.");
        var zone = ScheduleSpecValidator.FindZone(timeZone) ?? throw new InvalidOperationException(
            $"TaskFlow: the schedule '{name}' names an unknown time zone '{timeZone}'; use an IANA name such as 'America/New_York'.");
        return AddScheduleCore<THandler>(name, null, cron, expression, zone, configure);
    }

    private TaskFlowBuilder AddScheduleCore<THandler>(string name, TimeSpan? every, string? cron, Cronos.CronExpression? expression,
        TimeZoneInfo zone, Action<ScheduleOptionsBuilder>? configure) where THandler : class
    {
        var options = new ScheduleOptionsBuilder();
        configure?.Invoke(options);
        AddTask<THandler>(name, options.TaskOptions);
        Registry.TryGet(name, out var registration);
        var argsJson = options.ArgsValue is { } args ? TaskArgsBinder.Serialize(args, args.GetType()) : "{}";
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(argsJson);
            TaskArgsBinder.Bind(registration!, document.RootElement);
        }
        catch (TaskValidationException ex)
        {
            throw new InvalidOperationException($"TaskFlow: the schedule '{name}' has arguments that do not bind: {ex.Message}", ex);
        }
        Registry.AddSchedule(new ScheduleDefinition(name, name, every, cron, expression, zone, argsJson,
            options.RunOnStartupValue, options.MisfireValue, options.OverlapValue, runtime: false));
        return this;
    }

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || !NamePattern().IsMatch(name))
            throw new InvalidOperationException(
                $"TaskFlow: the task name '{name}' is invalid; use 1–200 letters, digits, '_', '-', '.' or ':'.");
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,200}$")]
    private static partial Regex NamePattern();
}
