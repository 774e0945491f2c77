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

    private static void ValidateName(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || !NamePattern().IsMatch(name))
            throw new InvalidOperationException(
                $"TaskFlow: the task name '{name}' is invalid; use 1–200 letters, digits, '_', '-', '.' or ':'.");
    }

    [GeneratedRegex("^[A-Za-z0-9_.:-]{1,200}$")]
    private static partial Regex NamePattern();
}
