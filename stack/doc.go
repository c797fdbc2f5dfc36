// Package stack is the developer portal's stack program: one stack per environment, wiring
// the components together. A run flows in five steps:
//
//  1. load reads every config section and secret (problems name the stack config key).
//  2. prepare calls each component's Validate on what is known before registration.
//  3. prepare computes the contributions and the app-config with the components' pure functions.
//  4. Only with no problem at all, deploy builds the explicit providers and registers the components.
//  5. Each component gets the outputs it needs from the others; deploy exports what operators need.
//
// The components, in the order deploy registers them, and the operators' view of them are in
// README.md ("Architecture") and docs/operators/index.md.
package stack
