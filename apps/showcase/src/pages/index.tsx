import type { ReactNode } from 'react';
import Link from '@docusaurus/Link';
import useDocusaurusContext from '@docusaurus/useDocusaurusContext';
import { usePluginData } from '@docusaurus/useGlobalData';
import Layout from '@theme/Layout';
import type { FactorGridData } from '../../plugins/factor-grid';
import styles from './index.module.css';

export default function Home(): ReactNode {
  const { siteConfig } = useDocusaurusContext();
  const { factors } = usePluginData('factor-grid') as FactorGridData;
  return (
    <Layout title="Twelve principles for operating AI agents" description={siteConfig.tagline}>
      <header className={styles.hero}>
        <div className="container">
          <h1 className={styles.title}>{siteConfig.title}</h1>
          <p className={styles.tagline}>{siteConfig.tagline}</p>
          <p className={styles.lead}>
            A vendor-neutral framework for the people who deploy and run agents: what to record, what to limit, where
            humans decide, and how the same practice holds from a disconnected edge to a connected cloud.
          </p>
          <div className={styles.actions}>
            <Link className="button button--primary button--lg" to="/docs/factors">
              Read the twelve factors
            </Link>
            <Link className="button button--secondary button--lg" to="/docs">
              What this framework is
            </Link>
          </div>
        </div>
      </header>
      <main className="container">
        <h2 className={styles.gridTitle}>The factors</h2>
        <ol className={styles.grid} aria-label="The twelve factors">
          {factors.map((factor) => (
            <li key={factor.file} className={styles.card}>
              <Link to={`/docs/factors/${factor.slug}`} className={styles.cardLink}>
                <span className={styles.numeral} aria-hidden="true">
                  {factor.numeral}
                </span>
                <span className={styles.cardTitle}>
                  <span className={styles.visuallyHidden}>Factor {factor.numeral}: </span>
                  {factor.title}
                </span>
                <span className={styles.rule}>{factor.rule}</span>
              </Link>
            </li>
          ))}
        </ol>
      </main>
    </Layout>
  );
}
